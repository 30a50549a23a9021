// One customer (its contacts, conversations across channels, note) and the agent's changes to it: the note, merge
// and unmerge, each of the last two offered back as Undo. Conversations whose customer changes arrive as
// conversation.updated, which also asks their customers again (app/useLiveUpdates.ts).
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Customer } from '@contract/schemas';
import { errorMessage, type ApiClient } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { notify } from '../../app/store';

/** One customer, as the contact panel reads it and an open prefetches it. */
export const customerDetail = (api: ApiClient, id: string) =>
  queryOptions({
    queryKey: keys.customer(id),
    queryFn: () => api.call('getCustomer', { params: { id } }),
    staleTime: 10_000,
  });

export function useCustomer(id: string) {
  return useQuery(customerDetail(useApi(), id));
}

export function useSaveNote() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, note }: { id: string; note: string }) =>
      api.call('patchCustomer', { params: { id }, body: { note } }),
    onSuccess: (customer) => {
      qc.setQueryData(keys.customer(customer.id), customer);
      notify('Note saved.');
    },
    onError: (error) => notify(`The note was not saved: ${errorMessage(error)}`, 'error'),
  });
}

const contactNames = (c: Customer, ids: string[]) =>
  c.contacts
    .filter((k) => ids.includes(k.id))
    .map((k) => k.name || k.handle)
    .join(', ');

/** Merge and unmerge, each undone by the other from the notice it leaves. */
export function useCustomerChanges() {
  const api = useApi();
  const qc = useQueryClient();
  const settle = (...customers: Customer[]) => {
    for (const c of customers) qc.setQueryData(keys.customer(c.id), c);
  };
  const fail = (what: string) => (error: unknown) => notify(`${what}: ${errorMessage(error)}`, 'error');

  const unmerge = useMutation({
    mutationFn: ({ from, contactIds }: { from: Customer; contactIds: string[] }) =>
      api.call('unmergeCustomer', { params: { id: from.id }, body: { contactIds } }),
    onSuccess: (apart, { from, contactIds }) => {
      settle(apart);
      void qc.invalidateQueries({ queryKey: keys.customer(from.id) });
      notify(`${contactNames(from, contactIds)} unmerged.`, 'info', {
        action: { label: 'Undo', run: () => merge.mutate({ into: from, otherId: apart.id, undoing: true }) },
      });
    },
    onError: fail('Could not unmerge'),
  });

  const merge = useMutation({
    mutationFn: ({ into, otherId }: { into: Customer; otherId: string; undoing?: boolean }) =>
      api.call('mergeCustomer', { params: { id: into.id }, body: { customerId: otherId } }),
    onSuccess: (merged, { into, undoing }) => {
      settle(merged);
      if (undoing) {
        notify('Unmerge undone.');
        return;
      }
      const moved = merged.contacts.filter((k) => !into.contacts.some((o) => o.id === k.id)).map((k) => k.id);
      notify(`Merged with ${contactNames(merged, moved)}.`, 'info', {
        action: { label: 'Undo', run: () => unmerge.mutate({ from: merged, contactIds: moved }) },
      });
    },
    onError: fail('Could not merge'),
  });

  return { merge, unmerge };
}
