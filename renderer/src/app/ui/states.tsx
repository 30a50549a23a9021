// Loading, empty and error states that say what is going on and what to do next.
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';

export function SkeletonRows({ count = 8, height = 56 }: { count?: number; height?: number }) {
  return (
    <div className="skeleton-list" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="skeleton-row" style={{ height }}>
          <span className="skeleton-line" style={{ width: `${40 + ((i * 17) % 35)}%` }} />
          <span className="skeleton-line skeleton-line-dim" style={{ width: `${60 + ((i * 23) % 30)}%` }} />
        </div>
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-hint">{children}</div>}
    </div>
  );
}

export function ErrorState({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{what}</p>
      <p className="error-detail">{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
