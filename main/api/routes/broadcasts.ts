// Broadcasts: the BroadcastService does the work; ids are checked to be local ids first.
import { localId, type HandlerDeps, type RouteHandlers } from './deps';

type BroadcastRoutes =
  | 'listBroadcasts'
  | 'createBroadcast'
  | 'previewBroadcast'
  | 'getBroadcast'
  | 'listBroadcastRecipients'
  | 'cancelBroadcast';

export const broadcastRoutes = ({ broadcasts }: HandlerDeps): RouteHandlers<BroadcastRoutes> => ({
  listBroadcasts: () => ({ items: broadcasts.list() }),
  createBroadcast: ({ body }) => broadcasts.create(body),
  previewBroadcast: ({ body }) => broadcasts.preview(body.audience, body.text),
  getBroadcast: ({ params }) => broadcasts.get(String(localId(params.id, 'broadcast'))),
  listBroadcastRecipients: ({ params, query }) =>
    broadcasts.recipients(String(localId(params.id, 'broadcast')), query),
  cancelBroadcast: ({ params }) => broadcasts.cancel(String(localId(params.id, 'broadcast'))),
});
