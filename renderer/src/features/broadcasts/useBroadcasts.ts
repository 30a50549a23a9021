// Broadcast history (kept current by `broadcast.progress`), each broadcast's recipients, creating, cancelling
// and the audience preview (count, and the text as the first recipients would read it).
import { useMemo } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BodyOf } from '@contract/routes';
import type { Audience, Broadcast } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { useDebounced } from '../search/useSearch';

type BroadcastList = { items: Broadcast[] };

function upsert(data: BroadcastList | undefined, b: Broadcast): BroadcastList | undefined {
  if (!data) return data;
  return data.items.some((x) => x.id === b.id)
    ? { items: data.items.map((x) => (x.id === b.id ? b : x)) }
    : { items: [b, ...data.items] };
}

export function useBroadcasts() {
  const api = useApi();
  return useQuery({ queryKey: keys.broadcasts, queryFn: () => api.call('listBroadcasts', {}) });
}

export function useCreateBroadcast() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BodyOf<'createBroadcast'>) => api.call('createBroadcast', { body }),
    onSuccess: (b) => qc.setQueryData<BroadcastList>(keys.broadcasts, (data) => upsert(data, b)),
  });
}

export function useCancelBroadcast() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call('cancelBroadcast', { params: { id } }),
    onSuccess: (b) => qc.setQueryData<BroadcastList>(keys.broadcasts, (data) => upsert(data, b)),
  });
}

const PREVIEW_DEBOUNCE_MS = 350;
const RECIPIENTS_PAGE = 50;
/** While a broadcast is going out, how often its open recipient list is read again. */
const RECIPIENTS_REFRESH_MS = 2_000;

/** Live recipient count for the audience being edited, and the text rendered for its first recipients. */
export function useAudiencePreview(audience: Audience, text: string) {
  const api = useApi();
  const trimmed = text.trim();
  const request = useMemo(() => ({ audience, ...(trimmed ? { text: trimmed } : {}) }), [audience, trimmed]);
  const settled = useDebounced(request, PREVIEW_DEBOUNCE_MS);
  const query = useQuery({
    queryKey: keys.broadcastPreview(settled),
    queryFn: () => api.call('previewBroadcast', { body: settled }),
    placeholderData: (previous) => previous,
    staleTime: 15_000,
  });
  return { ...query, settling: settled !== request };
}

/** A broadcast's frozen recipients with their status, page by page; read again while it is being sent. */
export function useBroadcastRecipients(b: Broadcast) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.broadcastRecipients(b.id, b.status),
    queryFn: ({ pageParam }) =>
      api.call('listBroadcastRecipients', {
        params: { id: b.id },
        query: { limit: RECIPIENTS_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: b.status === 'sending' || b.status === 'queued' ? RECIPIENTS_REFRESH_MS : false,
  });
}
