// Provider accounts: the ChannelService does the work; diagnostics put together what the channel's sync knows.
import { reachesLoopback } from '../../domain/channelRules';
import { channelDiagnostics } from '../diagnostics';
import { DomainError } from '../../domain/errors';
import type { HandlerDeps, RouteHandlers } from './deps';

type ChannelRoutes =
  'listChannels' | 'createChannel' | 'testChannel' | 'patchChannel' | 'channelDiagnostics' | 'deleteChannel';

/** In team mode the hub owns the channels: an admin manages them there. */
function notInTeam(team: HandlerDeps['team']): void {
  if (team.inTeam())
    throw DomainError.conflict(
      'team_mode',
      "This desktop is in a team: the team's hub manages its channels.",
    );
}

export const channelRoutes = ({ channels, team }: HandlerDeps): RouteHandlers<ChannelRoutes> => ({
  listChannels: () => ({ items: team.inTeam() ? team.channelList() : channels.list() }),
  createChannel: ({ body }) => {
    notInTeam(team);
    return channels.create(body);
  },
  testChannel: ({ body }) => channels.test(body),
  patchChannel: ({ params, body }) => {
    notInTeam(team);
    return channels.patch(params.id, body);
  },
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
    notInTeam(team);
    await channels.remove(params.id);
    return null;
  },
});
