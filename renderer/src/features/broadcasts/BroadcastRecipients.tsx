// Who a broadcast went to, as frozen when it was made: each recipient with its status and, when it failed, why.
// Read page by page; read again while the broadcast is going out.
import type { Broadcast, BroadcastRecipient } from '@contract/schemas';
import { ErrorState, SkeletonRows } from '../../app/ui/states';
import { useBroadcastRecipients } from './useBroadcasts';

const STATUS_LABELS: Record<BroadcastRecipient['status'], string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The pill colours of the broadcast with the same state. */
const PILL_CLASS: Record<BroadcastRecipient['status'], string> = {
  queued: 'broadcast-queued',
  sent: 'broadcast-completed',
  failed: 'broadcast-failed',
  cancelled: 'broadcast-cancelled',
};

export function BroadcastRecipients({ broadcast }: { broadcast: Broadcast }) {
  const recipients = useBroadcastRecipients(broadcast);
  if (recipients.isPending) return <SkeletonRows count={2} height={24} />;
  if (recipients.isError) {
    return (
      <ErrorState
        what="The recipients could not be loaded."
        error={recipients.error}
        onRetry={() => void recipients.refetch()}
      />
    );
  }
  const items = recipients.data.pages.flatMap((p) => p.items);
  return (
    <div className="broadcast-recipients">
      <ul aria-label={`Recipients of ${broadcast.name}`}>
        {items.map((r) => (
          <li key={r.conversationId}>
            <span className="broadcast-recipient-name">{r.contactName || 'A contact without a name'}</span>
            <span className={`pill ${PILL_CLASS[r.status]}`}>{STATUS_LABELS[r.status]}</span>
            {r.error && <span className="broadcast-recipient-error">{r.error}</span>}
          </li>
        ))}
      </ul>
      {recipients.hasNextPage && (
        <button
          type="button"
          className="btn btn-small"
          disabled={recipients.isFetchingNextPage}
          onClick={() => void recipients.fetchNextPage()}
        >
          {recipients.isFetchingNextPage
            ? 'Loading…'
            : `Show more (${items.length.toLocaleString()} of ${broadcast.total.toLocaleString()} shown)`}
        </button>
      )}
    </div>
  );
}
