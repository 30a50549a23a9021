// The unified inbox for the current filters, as keyset-paged infinite data.
import { useMemo } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { Conversation } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import type { InboxFilters } from '../../app/store';
import { filtersToQuery } from './inboxCache';

export function useConversationPages(filters: InboxFilters) {
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: keys.conversationList(filters),
    queryFn: ({ pageParam }) => api.call('listConversations', { query: filtersToQuery(filters, pageParam) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Live events keep the pages current; a refetch would reload every page the agent scrolled through.
    staleTime: Infinity,
  });
  const items = useMemo(() => {
    const seen = new Set<string>();
    const out: Conversation[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const c of page.items) {
        if (!seen.has(c.id)) {
          seen.add(c.id);
          out.push(c);
        }
      }
    }
    return out;
  }, [query.data]);
  return { ...query, items };
}
