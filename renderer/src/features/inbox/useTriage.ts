// The API side of triage: tags in use, saved views (and how they map to the inbox's filters), bulk actions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BulkAction, BulkResult, SavedView, ViewFilters } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { useAfterFirstPaint } from '../../app/afterFirstPaint';
import { notify, useUi, type InboxFilters } from '../../app/store';
import { applyConversation } from './inboxCache';
import { clearSelection } from './selection';

export function useTags() {
  const api = useApi();
  return useQuery({
    queryKey: keys.tags,
    queryFn: () => api.call('listTags', {}),
    enabled: useAfterFirstPaint(),
  });
}

export function toViewFilters(f: InboxFilters): ViewFilters {
  const [kind, id] = f.source.split(/:(.*)/s);
  return {
    ...(kind === 'channel' ? { channel: id } : {}),
    ...(kind === 'provider' ? { provider: id as ViewFilters['provider'] } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.unreadOnly ? { unread: true } : {}),
    ...(f.sort === 'waiting' ? { sort: f.sort } : {}),
  };
}

export function fromViewFilters(v: ViewFilters): InboxFilters {
  return {
    source: v.channel ? `channel:${v.channel}` : v.provider ? `provider:${v.provider}` : '',
    status: v.status ?? '',
    tag: v.tag ?? '',
    unreadOnly: v.unread ?? false,
    sort: v.sort ?? 'latest',
  };
}

export const sameFilters = (a: InboxFilters, b: InboxFilters) =>
  a.source === b.source &&
  a.status === b.status &&
  a.tag === b.tag &&
  a.unreadOnly === b.unreadOnly &&
  a.sort === b.sort;

export function useSavedViews() {
  const api = useApi();
  return useQuery({
    queryKey: keys.savedViews,
    queryFn: () => api.call('listViews', {}),
    enabled: useAfterFirstPaint(),
  });
}

/** Save, rename and delete views; each answers with a notice, a refusal with the API's sentence. */
export function useSavedViewActions() {
  const api = useApi();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: keys.savedViews });
  const failed = (what: string) => (error: unknown) => notify(`${what}: ${errorMessage(error)}`, 'error');
  const create = useMutation({
    mutationFn: (v: { name: string; filters: ViewFilters }) => api.call('createView', { body: v }),
    onSuccess: (v) => (void refresh(), notify(`View '${v.name}' saved.`)),
    onError: failed('The view was not saved'),
  });
  const rename = useMutation({
    mutationFn: ({ view, name }: { view: SavedView; name: string }) =>
      api.call('patchView', { params: { id: view.id }, body: { name } }),
    onSuccess: (v) => (void refresh(), notify(`View renamed to '${v.name}'.`)),
    onError: failed('The view was not renamed'),
  });
  const remove = useMutation({
    mutationFn: (view: SavedView) => api.call('deleteView', { params: { id: view.id } }),
    onSuccess: (_, view) => {
      void refresh();
      notify(`View '${view.name}' deleted.`, 'info', {
        action: { label: 'Undo', run: () => create.mutate({ name: view.name, filters: view.filters }) },
        ms: 8000,
      });
    },
    onError: failed('The view was not deleted'),
  });
  return { create, rename, remove };
}

const DONE: Record<BulkAction['type'], string> = {
  resolve: 'resolved',
  reopen: 'reopened',
  snooze: 'snoozed',
  addTag: 'tagged',
  removeTag: 'untagged',
};

/** "12 resolved, 1 failed: No conversation with id '7'" */
export function bulkSummary(action: BulkAction, r: BulkResult): string {
  const done = `${r.succeeded} ${DONE[action.type]}`;
  const firstError = r.items.find((i) => !i.ok);
  return firstError && !firstError.ok ? `${done}, ${r.failed} failed: ${firstError.error}` : `${done}.`;
}

/** One bulk action on the selected conversations: the ones it changed are let go of, failed ones stay picked. */
export function useBulkAction() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, action }: { ids: string[]; action: BulkAction }) =>
      api.call('bulkConversations', { body: { ids, action } }),
    onSuccess: (r, { action }) => {
      const openId = useUi.getState().openId;
      for (const item of r.items) if (item.ok) applyConversation(qc, item.conversation, openId);
      clearSelection(r.items.filter((i) => i.ok).map((i) => i.id));
      if (action.type === 'addTag' || action.type === 'removeTag')
        void qc.invalidateQueries({ queryKey: keys.tags });
      notify(bulkSummary(action, r), r.failed ? 'error' : 'info');
    },
    onError: (error) => notify(`Nothing was changed: ${errorMessage(error)}`, 'error'),
  });
}
