// Queued and failed work (replies, broadcasts, flow toggles), kept current by `outbox.updated` events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { OutboxItem } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';

export function useOutbox() {
  const api = useApi();
  return useQuery({ queryKey: keys.outbox, queryFn: () => api.call('listOutbox', { query: {} }) });
}

export function useRetryOutbox() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call('retryOutbox', { params: { id } }),
    onSuccess: (item) =>
      qc.setQueryData<{ items: OutboxItem[] }>(keys.outbox, (data) =>
        data ? { items: data.items.map((x) => (x.id === item.id ? item : x)) } : data,
      ),
  });
}
