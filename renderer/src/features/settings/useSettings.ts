// Preferences (GET/PATCH /api/v1/settings). A change shows at once — written to the cache before the
// request, so controlled inputs never snap back — and is undone if the API refuses it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BodyOf } from '@contract/routes';
import type { Settings } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { useAfterFirstPaint } from '../../app/afterFirstPaint';
import { notify } from '../../app/store';

type SettingsPatch = BodyOf<'patchSettings'>;

export function useSettings() {
  const api = useApi();
  return useQuery({
    queryKey: keys.settings,
    queryFn: () => api.call('getSettings', {}),
    enabled: useAfterFirstPaint(),
  });
}

export function useSaveSettings() {
  const api = useApi();
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: ({ patch }: { patch: SettingsPatch; before: Settings | undefined }) =>
      api.call('patchSettings', { body: patch }),
    onSuccess: (saved, { patch }) => {
      qc.setQueryData(keys.settings, saved);
      if (patch.snippets) void qc.invalidateQueries({ queryKey: keys.templates });
    },
    onError: (error, { before }) => {
      if (before) qc.setQueryData(keys.settings, before);
      notify(`The setting was not saved: ${errorMessage(error)}`, 'error');
    },
  });
  const save = (patch: SettingsPatch, options?: { onSuccess?: () => void }) => {
    const before = qc.getQueryData<Settings>(keys.settings);
    if (before) qc.setQueryData<Settings>(keys.settings, { ...before, ...patch } as Settings);
    mutation.mutate({ patch, before }, options);
  };
  return { save, isPending: mutation.isPending };
}
