// An outgoing message's delivery state as a compact mark with its name for screen readers; a queued reply
// that waits for a reason (the server's "waiting: InstantChat unreachable: …") says why instead of "Queued".
import type { MessageStatus } from '@contract/schemas';

const LABELS: Record<MessageStatus, { mark: string; text: string }> = {
  received: { mark: '', text: 'Received' },
  queued: { mark: '◷', text: 'Queued' },
  sending: { mark: '↑', text: 'Sending' },
  sent: { mark: '✓', text: 'Sent' },
  delivered: { mark: '✓✓', text: 'Delivered' },
  read: { mark: '✓✓', text: 'Read' },
  failed: { mark: '!', text: 'Failed' },
};

const MAX_REASON = 100;

/** "waiting: InstantChat unreachable: …" → "Waiting to send: InstantChat unreachable: …", cut short if long. */
function waitingSentence(reason: string): string {
  const why = reason.replace(/^waiting:\s*/i, '').trim();
  const short = why.length > MAX_REASON ? `${why.slice(0, MAX_REASON - 1)}…` : why;
  return `Waiting to send: ${short}`;
}

export function DeliveryStatus({ status, reason }: { status: MessageStatus; reason?: string }) {
  const { mark, text } = LABELS[status];
  const waiting = status === 'queued' && reason?.trim() ? waitingSentence(reason) : null;
  return (
    <span className={`delivery delivery-${status}`} title={waiting ? reason : undefined}>
      <span className="delivery-mark" aria-hidden="true">
        {mark}
      </span>
      <span>{waiting ?? text}</span>
    </span>
  );
}
