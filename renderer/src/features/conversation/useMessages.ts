// A conversation's history (older pages fetched on demand) and sending replies, shown at once as queued.
import { useMemo } from 'react';
import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { Message } from '@contract/schemas';
import { errorMessage, type ApiClient } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { addLocalReply, failLocalReply, localReply, settleLocalReply } from './messageCache';

const PAGE_SIZE = 50;

/** The conversation's pages of messages, newest first, as the list reads them and an open prefetches them. */
export const messagePages = (api: ApiClient, conversationId: string) =>
  infiniteQueryOptions({
    queryKey: keys.messages(conversationId),
    queryFn: ({ pageParam }) =>
      api.call('listMessages', {
        params: { id: conversationId },
        query: { limit: PAGE_SIZE, before: pageParam ?? undefined },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    staleTime: Infinity,
  });

export function useMessagePages(conversationId: string) {
  const api = useApi();
  const query = useInfiniteQuery(messagePages(api, conversationId));
  /** Oldest first, as the conversation reads. */
  const messages = useMemo(() => {
    const seen = new Set<string>();
    const out: Message[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const m of page.items) {
        if (!seen.has(m.id)) {
          seen.add(m.id);
          out.push(m);
        }
      }
    }
    return out.reverse();
  }, [query.data]);
  return { ...query, messages };
}

export function useSendReply(conversationId: string) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ text, clientId }: { text: string; clientId: string }) =>
      api.call('sendReply', { params: { id: conversationId }, body: { text, clientId } }),
    onMutate: ({ text, clientId }) => addLocalReply(qc, localReply(conversationId, text, clientId)),
    onSuccess: (stored, { clientId }) => settleLocalReply(qc, clientId, stored),
    onError: (error, { clientId }) => failLocalReply(qc, conversationId, clientId, errorMessage(error)),
  });
}
