// Broadcast history (kept current by `broadcast.progress`), creating, cancelling and the audience preview.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/** Live recipient count for the audience being edited. */
export function useAudiencePreview(audience: Audience) {
  const api = useApi();
  const settled = useDebounced(audience, PREVIEW_DEBOUNCE_MS);
  const query = useQuery({
    queryKey: keys.broadcastPreview(settled),
    queryFn: () => api.call('previewBroadcast', { body: { audience: settled } }),
    placeholderData: (previous) => previous,
    staleTime: 15_000,
  });
  return { ...query, settling: settled !== audience };
}
