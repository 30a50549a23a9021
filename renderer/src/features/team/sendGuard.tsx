// "Send anyway?": before a reply leaves, if another agent's reply reached the conversation after this agent
// began writing (or opened it), the agent is asked first. Another agent's reply is an outgoing message whose
// author (meta.authorId, team mode) is someone else, or, without an author, one this desktop did not send.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { hashKey, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Message } from '@contract/schemas';
import { keys } from '../../api/keys';
import { useUi } from '../../app/store';
import { ConfirmDialog } from '../../app/ui/Dialog';
import { isLocalMessage, type MessagePages } from '../conversation/messageCache';
import { useAgentNames, useMyAgentId } from './useTeam';

/** Texts of the replies this window sent, by conversation: an author-less copy of one of them is ours. */
const sentHere = new Map<string, Set<string>>();

/** The conversation's cached messages; null while none are loaded. */
function cachedMessages(qc: QueryClient, conversationId: string): Message[] | null {
  const data = qc.getQueryData<MessagePages>(keys.messages(conversationId));
  return data ? data.pages.flatMap((p) => p.items) : null;
}

const authorOf = (m: Message): string | null =>
  typeof m.meta?.authorId === 'string' ? m.meta.authorId : null;

function isOthersReply(m: Message, me: string, conversationId: string): boolean {
  if (m.direction !== 'out' || isLocalMessage(m)) return false;
  const author = authorOf(m);
  return author !== null ? author !== me : !sentHere.get(conversationId)?.has(m.text.trim());
}

function agoText(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

interface Pending {
  other: Message;
  send: () => void;
}

/**
 * confirm(send) sends at once unless another agent replied since this agent's draft began; then it asks, and
 * `dialog` is the question to render. Does nothing in solo mode.
 */
export function useSendGuard(conversationId: string): {
  confirm: (send: () => void) => void;
  dialog: ReactNode;
} {
  const qc = useQueryClient();
  const me = useMyAgentId();
  const names = useAgentNames();
  /** The messages there when the agent began; null until the thread has loaded. */
  const seen = useRef<Set<string> | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);

  useEffect(() => {
    const snapshot = () => {
      const messages = cachedMessages(qc, conversationId);
      seen.current = messages && new Set(messages.map((m) => m.id));
    };
    snapshot();
    const messagesKey = hashKey(keys.messages(conversationId));
    const stopCache = qc.getQueryCache().subscribe((e) => {
      if (seen.current === null && e.query.queryHash === messagesKey) snapshot();
    });
    const stopDrafts = useUi.subscribe((s, prev) => {
      if (s.drafts[conversationId] && !prev.drafts[conversationId]) snapshot();
    });
    return () => {
      stopCache();
      stopDrafts();
    };
  }, [qc, conversationId]);

  const confirm = (send: () => void) => {
    const sendAndRemember = () => {
      const text = useUi.getState().drafts[conversationId];
      if (text) sentHere.set(conversationId, (sentHere.get(conversationId) ?? new Set()).add(text.trim()));
      send();
    };
    const known = seen.current;
    const other =
      me === null || known === null
        ? undefined
        : (cachedMessages(qc, conversationId) ?? [])
            .filter((m) => !known.has(m.id) && isOthersReply(m, me, conversationId))
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!other) return sendAndRemember();
    setPending({ other, send: sendAndRemember });
  };

  const author = pending ? authorOf(pending.other) : null;
  const who = (author && names.get(author)) ?? 'Another agent';
  const dialog = pending && (
    <ConfirmDialog
      title={`${who} replied ${agoText(pending.other.createdAt)}: send anyway?`}
      confirmLabel="Send anyway"
      onCancel={() => setPending(null)}
      onConfirm={() => {
        // What was asked about is seen now.
        seen.current?.add(pending.other.id);
        setPending(null);
        pending.send();
      }}
    >
      <blockquote className="send-guard-quote">{pending.other.text}</blockquote>
      <p className="muted">Your reply stays in the box if you cancel.</p>
    </ConfirmDialog>
  );
  return { confirm, dialog };
}
