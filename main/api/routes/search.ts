// Search over messages and contacts, a keyset page at a time.
import { DomainError } from '../../domain/errors';
import type { HandlerDeps, RouteHandlers } from './deps';

export const searchRoutes = ({ store }: HandlerDeps): RouteHandlers<'search'> => ({
  search: ({ query }) => {
    const page = store.searchIndex.search(query);
    if (!page)
      throw DomainError.invalid(
        'invalid_cursor',
        'This cursor was not handed out by a search; search again without it to start from the first page.',
      );
    return page;
  },
});
