// Assigning a conversation in team mode: compare-and-set against the assignee this desktop last saw. A stale
// claim (the local API's 409 naming the owner) is shown where the agent acted, and the owner replaces the
// hopeful guess in the header and the list; nothing is silently reverted.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { create } from 'zustand';
import type { Conversation } from '@contract/schemas';
import { ApiError, errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { notify, useUi } from '../../app/store';
import { applyConversation } from '../inbox/inboxCache';

/** Why the agent's last assignment in a conversation did not happen, by conversation id. */
export const useAssignConflicts = create<Record<string, string>>(() => ({}));

function setConflict(conversationId: string, text: string | null): void {
  useAssignConflicts.setState((s) => {
    const next = { ...s };
    if (text === null) delete next[conversationId];
    else next[conversationId] = text;
    return next;
  }, true);
}

export const dismissConflict = (conversationId: string) => setConflict(conversationId, null);

interface Owner {
  assigneeId: string | null;
  assigneeName: string | null;
}

/** The owner named by a 409 assignee_changed, or null for any other error. */
function ownerOf(error: unknown): Owner | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== 'assignee_changed') return null;
  const detail = error.details[0] as Partial<Owner> | undefined;
  return { assigneeId: detail?.assigneeId ?? null, assigneeName: detail?.assigneeName ?? null };
}

/** The API's own sentence names the owner; these words stand in only if it has none. */
function conflictText(owner: Owner, message: string): string {
  if (message) return message;
  if (owner.assigneeId === null) return 'This conversation was unassigned meanwhile; nothing was changed.';
  return `${owner.assigneeName ?? 'Another agent'} took this conversation before you.`;
}

export interface AssignInput {
  conversation: Conversation;
  assigneeId: string | null;
  /** Said in a notice once the assignment is applied. */
  done: string;
}

export function useAssign() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ conversation, assigneeId }: AssignInput) =>
      api.call('patchConversation', {
        params: { id: conversation.id },
        body: { assigneeId, expectedAssigneeId: conversation.assigneeId },
      }),
    onMutate: ({ conversation, assigneeId }) => {
      setConflict(conversation.id, null);
      applyConversation(qc, { ...conversation, assigneeId }, useUi.getState().openId);
    },
    onSuccess: (updated, { done }) => {
      applyConversation(qc, updated, useUi.getState().openId);
      notify(done);
    },
    onError: (error, { conversation }) => {
      const owner = ownerOf(error);
      const openId = useUi.getState().openId;
      if (!owner) {
        applyConversation(qc, conversation, openId);
        notify(`Could not assign the conversation: ${errorMessage(error)}`, 'error');
        return;
      }
      applyConversation(qc, { ...conversation, assigneeId: owner.assigneeId }, openId);
      setConflict(conversation.id, conflictText(owner, error instanceof Error ? error.message : ''));
      void qc.invalidateQueries({ queryKey: keys.conversation(conversation.id) });
    },
  });
}
