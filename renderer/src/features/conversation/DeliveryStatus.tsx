// An outgoing message's delivery state as a compact mark with its name for screen readers.
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

export function DeliveryStatus({ status }: { status: MessageStatus }) {
  const { mark, text } = LABELS[status];
  return (
    <span className={`delivery delivery-${status}`}>
      <span className="delivery-mark" aria-hidden="true">
        {mark}
      </span>
      <span>{text}</span>
    </span>
  );
}
