// Search over every cached message and contact, debounced as the agent types, filtered and paged by cursor;
// the hits grouped per conversation in the order they first appear.
import { useEffect, useMemo, useState } from 'react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { QueryOf } from '@contract/routes';
import type { ConversationStatus, SearchHit } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';

const DEBOUNCE_MS = 200;
const PAGE_SIZE = 50;

/** What the agent chose above the results; '' is "any". Days are the date inputs' local YYYY-MM-DD. */
export interface SearchFilters {
  channelId: string;
  status: ConversationStatus | '';
  fromDay: string;
  toDay: string;
}
export const NO_SEARCH_FILTERS: SearchFilters = { channelId: '', status: '', fromDay: '', toDay: '' };

/** One conversation's hits. `byContact`: its contact's name or handle matched (the hit without a message). */
export interface SearchGroup {
  conversationId: string;
  channelId: string;
  provider: SearchHit['provider'];
  contactName: string;
  status: ConversationStatus;
  byContact: boolean;
  hits: SearchHit[];
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

/** The API's query: a day range becomes local midnight to the day's last millisecond. */
function searchQuery(q: string, f: SearchFilters, cursor: string | null): QueryOf<'search'> {
  return {
    q,
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    ...(f.channelId ? { channelId: f.channelId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.fromDay ? { from: new Date(`${f.fromDay}T00:00:00`).toISOString() } : {}),
    ...(f.toDay ? { to: new Date(`${f.toDay}T23:59:59.999`).toISOString() } : {}),
  };
}

function groupByConversation(hits: SearchHit[]): SearchGroup[] {
  const groups = new Map<string, SearchGroup>();
  for (const hit of hits) {
    let g = groups.get(hit.conversationId);
    if (!g) {
      g = { ...hit, byContact: false, hits: [] };
      groups.set(hit.conversationId, g);
    }
    if (hit.messageId === null) g.byContact = true;
    g.hits.push(hit);
  }
  return [...groups.values()];
}

export function useSearch(text: string, filters: SearchFilters) {
  const api = useApi();
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const query = useInfiniteQuery({
    queryKey: keys.search(q, filters),
    queryFn: ({ pageParam }) => api.call('search', { query: searchQuery(q, filters, pageParam) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const hits = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const groups = useMemo(() => groupByConversation(hits), [hits]);
  return { ...query, q, hitCount: hits.length, groups };
}
