// Retry for a failed reply: through the outbox when the API holds it (POST /outbox/:id/retry), or by
// sending again with the same client id when the API never got it.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { Message } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { notify } from '../../app/store';
import { useOutbox, useRetryOutbox } from '../outbox/useOutbox';
import { isLocalMessage } from './messageCache';
import { useSendReply } from './useMessages';

export function useRetryMessage(conversationId: string) {
  const outbox = useOutbox();
  const retryOutbox = useRetryOutbox();
  const send = useSendReply(conversationId);
  const [pendingId, setPendingId] = useState<string | null>(null);

  const run = async (m: Message) => {
    setPendingId(m.id);
    try {
      const clientId = typeof m.meta?.clientId === 'string' ? m.meta.clientId : null;
      if (isLocalMessage(m) && clientId) {
        await send.mutateAsync({ text: m.text, clientId });
        return;
      }
      const fromMeta =
        typeof m.meta?.outboxId === 'string' || typeof m.meta?.outboxId === 'number'
          ? String(m.meta.outboxId)
          : null;
      const items = fromMeta ? null : ((await outbox.refetch()).data?.items ?? []);
      const outboxId = fromMeta ?? items?.find((o) => o.messageId === m.id)?.id;
      if (!outboxId) {
        notify(
          'This reply is no longer in the outbox, so it cannot be retried. Copy the text and send it again.',
          'error',
        );
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

  // A stable callback keeps the memoized message bubbles from re-rendering on every change here.
  const latest = useRef(run);
  useLayoutEffect(() => {
    latest.current = run;
  });
  const stableRun = useCallback((m: Message) => void latest.current(m), []);

  return { run: stableRun, pendingId };
}
