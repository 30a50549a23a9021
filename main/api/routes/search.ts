// Full-text search over messages and contacts.
import type { HandlerDeps, RouteHandlers } from './deps';

export const searchRoutes = ({ store }: HandlerDeps): RouteHandlers<'search'> => ({
  search: ({ query }) => ({ items: store.searchIndex.search(query.q, query.limit) }),
});
