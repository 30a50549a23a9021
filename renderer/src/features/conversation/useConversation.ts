// One conversation: its details, its actions (read, status, snooze, tags) and marking it read on open.
import { useEffect, useEffectEvent } from 'react';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BodyOf } from '@contract/routes';
import type { Conversation } from '@contract/schemas';
import { errorMessage, type ApiClient } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { notify, useUi } from '../../app/store';
import { applyConversation, findCachedConversation } from '../inbox/inboxCache';

/** The conversation with its notes, as the reading pane reads it and an open prefetches it. */
export const conversationDetail = (api: ApiClient, id: string) =>
  queryOptions({
    queryKey: keys.conversation(id),
    queryFn: () => api.call('getConversation', { params: { id } }),
    staleTime: 30_000,
  });

export function useConversation(id: string) {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery({
    ...conversationDetail(api, id),
    placeholderData: () => {
      const cached = findCachedConversation(qc, id);
      // The inbox's copy has no notes; they come with the answer.
      return cached && { ...cached, notes: [] };
    },
  });
}

export type ConversationPatch = BodyOf<'patchConversation'>;

/** What a patch will look like, so the inbox and header change before the API answers. */
function predict(c: Conversation, patch: ConversationPatch): Conversation {
  return {
    ...c,
    ...(patch.status ? { status: patch.status } : {}),
    ...(patch.tags ? { tags: patch.tags } : {}),
    ...(patch.snoozedUntil !== undefined ? { snoozedUntil: patch.snoozedUntil } : {}),
    ...(patch.read === true
      ? { unreadCount: 0 }
      : patch.read === false
        ? { unreadCount: Math.max(1, c.unreadCount) }
        : {}),
  };
}

export function usePatchConversation() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      conversation,
      patch,
    }: {
      conversation: Conversation;
      patch: ConversationPatch;
      done?: string;
    }) => api.call('patchConversation', { params: { id: conversation.id }, body: patch }),
    onMutate: ({ conversation, patch }) => {
      applyConversation(qc, predict(conversation, patch), useUi.getState().openId);
      return { before: conversation };
    },
    onSuccess: (updated, { done }) => {
      applyConversation(qc, updated, useUi.getState().openId);
      if (done) notify(done);
    },
    onError: (error, _vars, context) => {
      if (context) applyConversation(qc, context.before, useUi.getState().openId);
      notify(`Could not update the conversation: ${errorMessage(error)}`, 'error');
    },
  });
}

/** Opening a conversation (or new messages arriving while it is open and visible) marks it read. */
export function useMarkReadWhileOpen(conversation: Conversation | undefined) {
  const { mutate } = usePatchConversation();
  const markRead = useEffectEvent(() => {
    if (conversation && document.visibilityState === 'visible')
      mutate({ conversation, patch: { read: true } });
  });
  const id = conversation?.id;
  const unread = conversation ? conversation.unreadCount > 0 : false;
  useEffect(() => {
    if (!id || !unread) return;
    const onVisibility = () => markRead();
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [id, unread]);
}
