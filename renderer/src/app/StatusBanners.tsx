// The link to the local service (shown only while it is down; it comes back by itself) and transient
// notices from actions.
import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/session';
import { useLinkStore } from '../api/socket';
import { useAfterFirstPaint } from './afterFirstPaint';
import { dismissNotice, notify, useUi } from './store';

export function ConnectionBanner() {
  const state = useLinkStore((s) => s.state);
  const reconnects = useLinkStore((s) => s.reconnects);
  const seen = useRef(reconnects);
  useEffect(() => {
    if (reconnects > seen.current) notify('Reconnected to the local service.');
    seen.current = reconnects;
  }, [reconnects]);
  if (state !== 'lost') return null;
  return (
    <div className="banner banner-error connection-banner" role="alert">
      <strong>Connection to the local Agent Inbox service lost.</strong> Reconnecting by itself — what you see
      may be out of date until then.
    </div>
  );
}

/** What the service had to tell at start, e.g. a damaged database it kept aside (GET /api/v1/health). */
export function ServiceNotices() {
  const api = useApi();
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => api.call('health', {}),
    staleTime: Infinity,
    enabled: useAfterFirstPaint(),
  });
  const notices = health.data?.notices ?? [];
  if (!notices.length) return null;
  return (
    <div className="banner banner-error" role="alert">
      {notices.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}

export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`}>
          <span>{n.text}</span>
          {n.action && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                n.action!.run();
                dismissNotice(n.id);
              }}
            >
              {n.action.label}
            </button>
          )}
          <button
            type="button"
            className="notice-close"
            aria-label="Dismiss"
            onClick={() => dismissNotice(n.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
