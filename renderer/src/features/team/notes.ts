// Internal notes in team mode: read with the conversation (GET answers them beside it), kept in their own cache
// entry (the conversation's entry is replaced by every conversation push), added at once as queued and settled
// by the API's answer and the core's `team.note` pushes.
import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { TeamNote } from '@contract/team';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi, useSession } from '../../api/session';
import { notify } from '../../app/store';
import { useTeam } from './useTeam';

const NO_NOTES: TeamNote[] = [];

export function useNotes(conversationId: string): TeamNote[] {
  const api = useApi();
  const inTeam = useTeam() !== null;
  const query = useQuery({
    queryKey: keys.notes(conversationId),
    queryFn: async () => (await api.call('getConversation', { params: { id: conversationId } })).notes,
    enabled: inTeam,
    staleTime: 30_000,
  });
  return inTeam ? (query.data ?? NO_NOTES) : NO_NOTES;
}

const byTime = (a: TeamNote, b: TeamNote) => a.createdAt.localeCompare(b.createdAt);

/** Puts a note in its conversation's cached list, replacing the copy with the same id (or `replacing`). */
function upsertNote(qc: QueryClient, note: TeamNote, replacing?: string): void {
  qc.setQueryData<TeamNote[]>(keys.notes(note.conversationId), (notes) => {
    if (!notes) return notes;
    const rest = notes.filter((n) => n.id !== note.id && n.id !== replacing);
    return [...rest, note].sort(byTime);
  });
}

/** Applies the core's note pushes (another agent's note, or this agent's settled by the hub) while the inbox is shown. */
export function useNoteFeed(): void {
  const { socket } = useSession();
  const qc = useQueryClient();
  useEffect(() => {
    const onNote = (n: TeamNote) => upsertNote(qc, n);
    socket.on('team.note', onNote);
    return () => {
      socket.off('team.note', onNote);
    };
  }, [socket, qc]);
}

let pendingSeq = 0;

export function useAddNote(conversationId: string) {
  const api = useApi();
  const qc = useQueryClient();
  const me = useTeam()?.agent;
  return useMutation({
    mutationFn: (text: string) => api.call('createNote', { params: { id: conversationId }, body: { text } }),
    onMutate: (text) => {
      const pending: TeamNote = {
        id: `pending:${++pendingSeq}`,
        conversationId,
        authorId: me?.id ?? null,
        authorName: me?.name ?? null,
        text,
        createdAt: new Date().toISOString(),
        status: 'queued',
      };
      upsertNote(qc, pending);
      return { pendingId: pending.id };
    },
    onSuccess: (note, _text, context) => upsertNote(qc, note, context?.pendingId),
    onError: (error, _text, context) => {
      qc.setQueryData<TeamNote[]>(keys.notes(conversationId), (notes) =>
        notes?.filter((n) => n.id !== context?.pendingId),
      );
      notify(`The note was not saved: ${errorMessage(error)}`, 'error');
    },
  });
}
