// Retry for a failed reply: through the outbox when the API holds it (POST /outbox/:id/retry), or by
// sending again with the same client id when the API never got it. Edit opens its text to change first.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { Message } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { notify, setReplyEdit } from '../../app/store';
import { useOutbox, useRetryOutbox } from '../outbox/useOutbox';
import { isLocalMessage } from './messageCache';
import { useSendReply } from './useMessages';

const NOT_IN_OUTBOX =
  'This reply is no longer in the outbox, so it cannot be sent again from here. Copy the text and send it again.';

export function useRetryMessage(conversationId: string) {
  const outbox = useOutbox();
  const retryOutbox = useRetryOutbox();
  const send = useSendReply(conversationId);
  const [pendingId, setPendingId] = useState<string | null>(null);

  /** The outbox item a stored reply went out as: named in its meta, else looked up in a fresh outbox list. */
  const outboxIdOf = async (m: Message): Promise<string | undefined> => {
    const fromMeta =
      typeof m.meta?.outboxId === 'string' || typeof m.meta?.outboxId === 'number'
        ? String(m.meta.outboxId)
        : null;
    if (fromMeta) return fromMeta;
    const items = (await outbox.refetch()).data?.items ?? [];
    return items.find((o) => o.messageId === m.id)?.id;
  };

  const run = async (m: Message) => {
    setPendingId(m.id);
    try {
      const clientId = typeof m.meta?.clientId === 'string' ? m.meta.clientId : null;
      if (isLocalMessage(m) && clientId) {
        await send.mutateAsync({ text: m.text, clientId });
        return;
      }
      const outboxId = await outboxIdOf(m);
      if (!outboxId) {
        notify(NOT_IN_OUTBOX, 'error');
        return;
      }
      await retryOutbox.mutateAsync(outboxId);
      notify('Retrying the reply.');
    } catch (error) {
      notify(`Retry failed: ${errorMessage(error)}`, 'error');
    } finally {
      setPendingId(null);
    }
  };

  /** Opens the failed reply's text for editing above the composer; "Resend" there sends the new text. */
  const edit = async (m: Message) => {
    const outboxId = await outboxIdOf(m).catch(() => undefined);
    if (outboxId) setReplyEdit(outboxId, m.text);
    else notify(NOT_IN_OUTBOX, 'error');
  };

  // A stable callback keeps the memoized message bubbles from re-rendering on every change here.
  const latest = useRef({ run, edit });
  useLayoutEffect(() => {
    latest.current = { run, edit };
  });
  const stableRun = useCallback((m: Message) => void latest.current.run(m), []);
  const stableEdit = useCallback((m: Message) => void latest.current.edit(m), []);

  return { run: stableRun, edit: stableEdit, pendingId };
}
