// Past, running and scheduled broadcasts with live progress (sent / failed / total, ETA), Cancel, and each one's
// recipients with their status on demand.
import { useState } from 'react';
import type { Broadcast } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { duration, fullTime, shortTime } from '../../app/format';
import { notify } from '../../app/store';
import { EmptyState, ErrorState, SkeletonRows } from '../../app/ui/states';
import { BroadcastRecipients } from './BroadcastRecipients';
import { useBroadcasts, useCancelBroadcast } from './useBroadcasts';

const CANCELLABLE = new Set<Broadcast['status']>(['scheduled', 'queued', 'sending']);

const STATUS_LABELS: Record<Broadcast['status'], string> = {
  scheduled: 'Scheduled',
  queued: 'Queued',
  sending: 'Sending',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function BroadcastHistory() {
  const broadcasts = useBroadcasts();
  const cancel = useCancelBroadcast();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  if (broadcasts.isPending) return <SkeletonRows count={4} height={72} />;
  if (broadcasts.isError) {
    return (
      <ErrorState
        what="Broadcasts could not be loaded."
        error={broadcasts.error}
        onRetry={() => void broadcasts.refetch()}
      />
    );
  }
  const items = [...broadcasts.data.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (!items.length) {
    return (
      <EmptyState title="No broadcasts yet.">Compose one on the left; its progress shows up here.</EmptyState>
    );
  }
  return (
    <ul className="broadcast-list" aria-label="Broadcast history">
      {items.map((b) => {
        const done = b.sent + b.failed;
        const remaining = b.status === 'sending' ? etaSeconds(b) : null;
        const expanded = open.has(b.id);
        return (
          <li key={b.id} className="card broadcast-item">
            <div className="broadcast-head">
              <span className="broadcast-name">{b.name}</span>
              <span className={`pill broadcast-${b.status}`}>{STATUS_LABELS[b.status]}</span>
            </div>
            <p className="broadcast-text">{b.text}</p>
            <progress
              className="progress"
              max={Math.max(1, b.total)}
              value={done}
              aria-label={`${b.name} progress`}
            />
            <div className="broadcast-stats">
              <span>
                {b.sent.toLocaleString()} sent · {b.failed.toLocaleString()} failed ·{' '}
                {b.total.toLocaleString()} total
              </span>
              {remaining !== null && <span>about {duration(remaining)} left</span>}
              <span className="muted" title={fullTime(b.createdAt)}>
                {b.status === 'scheduled' && b.scheduleAt
                  ? `for ${fullTime(b.scheduleAt)}`
                  : shortTime(b.createdAt)}
              </span>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-expanded={expanded}
                onClick={() => toggle(b.id)}
              >
                {expanded ? 'Hide recipients' : 'Recipients'}
              </button>
              {CANCELLABLE.has(b.status) && (
                <button
                  type="button"
                  className="btn btn-small btn-danger-ghost"
                  disabled={cancel.isPending && cancel.variables === b.id}
                  onClick={() =>
                    cancel.mutate(b.id, {
                      onSuccess: () => notify(`“${b.name}” cancelled. Messages already sent stay sent.`),
                      onError: (e) => notify(`Could not cancel “${b.name}”: ${errorMessage(e)}`, 'error'),
                    })
                  }
                >
                  Cancel
                </button>
              )}
            </div>
            {b.error && <p className="form-error">{b.error}</p>}
            {expanded && <BroadcastRecipients broadcast={b} />}
          </li>
        );
      })}
    </ul>
  );
}

/** When each running broadcast was first seen and how far it was then, to measure its pace. */
const firstSeen = new Map<string, { at: number; done: number }>();

/** Seconds left for a running broadcast, from the rate observed since it was first seen sending. */
function etaSeconds(b: Broadcast): number | null {
  const done = b.sent + b.failed;
  const seen = firstSeen.get(b.id);
  if (!seen) {
    firstSeen.set(b.id, { at: Date.now(), done });
    return null;
  }
  const rate = (done - seen.done) / ((Date.now() - seen.at) / 1000);
  return rate > 0 ? (b.total - done) / rate : null;
}
