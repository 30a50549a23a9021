// Provider accounts: the ChannelService does the work; diagnostics put together what the channel's sync knows.
import { reachesLoopback } from '../../domain/channelRules';
import { channelDiagnostics } from '../diagnostics';
import type { HandlerDeps, RouteHandlers } from './deps';

type ChannelRoutes =
  'listChannels' | 'createChannel' | 'testChannel' | 'patchChannel' | 'channelDiagnostics' | 'deleteChannel';

// In team mode the hub owns the channels: an admin's changes go to it (team.admin), never stored here.
export const channelRoutes = ({ channels, team }: HandlerDeps): RouteHandlers<ChannelRoutes> => ({
  listChannels: () => ({ items: team.inTeam() ? team.channelList() : channels.list() }),
  createChannel: ({ body }) => (team.inTeam() ? team.admin.createChannel(body) : channels.create(body)),
  testChannel: ({ body }) => channels.test(body),
  patchChannel: ({ params, body }) =>
    team.inTeam() ? team.admin.patchChannel(params.id, body) : channels.patch(params.id, body),
  channelDiagnostics: ({ params }) => {
    const row = channels.get(params.id);
    const sync = channels.syncFor(row.id);
    return channelDiagnostics({
      channel: channels.view(row),
      connector: sync?.connector ?? null,
      webhooksReachApp: reachesLoopback(row.base_url),
      pollIntervalMs: sync?.pollIntervalMs ?? null,
    });
  },
  deleteChannel: async ({ params }) => {
    await (team.inTeam() ? team.admin.removeChannel(params.id) : channels.remove(params.id));
    return null;
  },
});
