// Provider accounts: the ChannelService does the work; diagnostics put together what the channel's sync knows.
import { reachesLoopback } from '../../domain/channelRules';
import { channelDiagnostics } from '../diagnostics';
import type { HandlerDeps, RouteHandlers } from './deps';

type ChannelRoutes =
  'listChannels' | 'createChannel' | 'testChannel' | 'patchChannel' | 'channelDiagnostics' | 'deleteChannel';

export const channelRoutes = ({ channels }: HandlerDeps): RouteHandlers<ChannelRoutes> => ({
  listChannels: () => ({ items: channels.list() }),
  createChannel: ({ body }) => channels.create(body),
  testChannel: ({ body }) => channels.test(body),
  patchChannel: ({ params, body }) => channels.patch(params.id, body),
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
    await channels.remove(params.id);
    return null;
  },
});
