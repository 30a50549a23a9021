// Provider accounts: the list every view labels things with, and the changes the Channels view makes.
import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BodyOf } from '@contract/routes';
import type { Channel } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { navigate } from '../../app/store';

export function useChannels() {
  const api = useApi();
  // Kept current by channel.updated and by this window's own changes; asked again on a reconnect. Not
  // refetched by every view that mounts (opening a conversation mounts several).
  return useQuery({
    queryKey: keys.channels,
    queryFn: () => api.call('listChannels', {}),
    staleTime: 30_000,
  });
}

export function useChannelMap(): Map<string, Channel> {
  const { data } = useChannels();
  return useMemo(() => new Map((data?.items ?? []).map((c) => [c.id, c])), [data]);
}

function useReplaceChannel() {
  const qc = useQueryClient();
  return (channel: Channel) =>
    qc.setQueryData<{ items: Channel[] }>(keys.channels, (data) =>
      data ? { items: data.items.map((c) => (c.id === channel.id ? channel : c)) } : data,
    );
}

export function useCreateChannel() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BodyOf<'createChannel'>) => api.call('createChannel', { body }),
    onSuccess: (channel) => {
      qc.setQueryData<{ items: Channel[] }>(keys.channels, (data) =>
        data ? { items: [...data.items.filter((c) => c.id !== channel.id), channel] } : data,
      );
      void qc.invalidateQueries({ queryKey: keys.conversationLists });
      void qc.invalidateQueries({ queryKey: keys.flows });
    },
  });
}

export function useTestChannel() {
  const api = useApi();
  return useMutation({ mutationFn: (body: BodyOf<'testChannel'>) => api.call('testChannel', { body }) });
}

export function usePatchChannel() {
  const api = useApi();
  const replace = useReplaceChannel();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: BodyOf<'patchChannel'> }) =>
      api.call('patchChannel', { params: { id }, body: patch }),
    onSuccess: replace,
  });
}

export function useDeleteChannel() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call('deleteChannel', { params: { id } }),
    onSuccess: (_, id) => {
      qc.setQueryData<{ items: Channel[] }>(keys.channels, (data) =>
        data ? { items: data.items.filter((c) => c.id !== id) } : data,
      );
      void qc.invalidateQueries({ queryKey: keys.conversationLists });
      void qc.invalidateQueries({ queryKey: keys.flows });
      void qc.invalidateQueries({ queryKey: keys.outbox });
    },
  });
}

/** The first-run demo workspace: built-in simulators and one channel per provider. */
export function useStartDemo() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.call('startDemo', {}),
    // The demo's point is its conversations: land on the Inbox, wherever it was started from.
    onSuccess: () => {
      navigate('inbox');
      return qc.invalidateQueries();
    },
  });
}
