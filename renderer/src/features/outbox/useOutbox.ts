// Queued and failed work (replies, broadcasts, flow toggles), kept current by `outbox.updated` events.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { OutboxItem } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { useAfterFirstPaint } from '../../app/afterFirstPaint';

export function useOutbox() {
  const api = useApi();
  return useQuery({
    queryKey: keys.outbox,
    queryFn: () => api.call('listOutbox', { query: {} }),
    enabled: useAfterFirstPaint(),
    // Kept current by outbox.updated; asked again on a reconnect, not by each failed-reply banner mounting.
    staleTime: 30_000,
  });
}

/** The item as the API answered it; a discarded one leaves the list (the items it held follow by event). */
function store(qc: QueryClient, item: OutboxItem): void {
  qc.setQueryData<{ items: OutboxItem[] }>(keys.outbox, (data) => {
    if (!data) return data;
    if (item.status === 'cancelled') return { items: data.items.filter((x) => x.id !== item.id) };
    return { items: data.items.map((x) => (x.id === item.id ? item : x)) };
  });
}

export function useRetryOutbox() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call('retryOutbox', { params: { id } }),
    onSuccess: (item) => store(qc, item),
  });
}

/** New text for a failed reply, then sent again. */
export function useEditAndRetryOutbox() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, text }: { id: string; text: string }) => {
      await api.call('editOutbox', { params: { id }, body: { text } });
      return api.call('retryOutbox', { params: { id } });
    },
    onSuccess: (item) => store(qc, item),
  });
}

export function useDiscardOutbox() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (item: OutboxItem) => api.call('cancelOutbox', { params: { id: item.id } }),
    onSuccess: (_, item) => store(qc, { ...item, status: 'cancelled' }),
  });
}
