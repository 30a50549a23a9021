// A channel's diagnostics, for a support engineer telling a misread provider from a broken one: how news
// reaches it and why, and each reading its connector took where the provider's document is silent, marked
// confirmed (the provider's answers bore it out) or assumed (nothing documented says so).
import { useQuery } from '@tanstack/react-query';
import type { Channel, ChannelDiagnostics, Diagnostic } from '@contract/schemas';
import { errorMessage } from '../../api/client';
import { keys } from '../../api/keys';
import { useApi } from '../../api/session';
import { PATH_NAMES } from './capabilities';

export function useChannelDiagnostics(channel: Channel) {
  const api = useApi();
  return useQuery({
    queryKey: keys.channelDiagnostics(channel),
    queryFn: () => api.call('channelDiagnostics', { params: { id: channel.id } }),
  });
}

const topicName = (topic: string) => topic.charAt(0).toUpperCase() + topic.slice(1);

function summaryOf(d: ChannelDiagnostics | undefined): string {
  if (!d?.items.length) return 'Diagnostics';
  const assumed = d.items.filter((i) => !i.confirmed).length;
  return `Diagnostics: ${d.items.length} reading${d.items.length === 1 ? '' : 's'}, ${assumed} assumed`;
}

export function Diagnostics({ channel }: { channel: Channel }) {
  const q = useChannelDiagnostics(channel);
  return (
    <details
      className="diagnostics"
      // Readings change as the provider's answers confirm them: opening the disclosure asks again.
      onToggle={(e) => e.currentTarget.open && void q.refetch()}
    >
      <summary>{summaryOf(q.data)}</summary>
      {q.isPending && <p className="muted">Loading…</p>}
      {q.isError && <p role="alert">Diagnostics could not be loaded: {errorMessage(q.error)}</p>}
      {q.data && <DiagnosticsBody d={q.data} />}
    </details>
  );
}

function DiagnosticsBody({ d }: { d: ChannelDiagnostics }) {
  const { realtime } = d;
  return (
    <div className="diagnostics-body">
      <dl className="facts">
        <dt>News arrives by</dt>
        <dd>
          {realtime.path === 'polling'
            ? 'Polling'
            : `${PATH_NAMES[realtime.path]}, ${realtime.live ? 'up now' : 'not up now'}`}
        </dd>
        <dt>Right now</dt>
        <dd>{realtime.detail}</dd>
      </dl>
      {d.items.length > 0 ? (
        <>
          <p className="muted">
            Where the provider’s document is silent, the connector reads it this way. Confirmed: the
            provider’s answers have borne it out. Assumed: nothing has yet.
          </p>
          <ul className="diagnostic-list" aria-label="Connector readings">
            {d.items.map((item) => (
              <Reading key={`${item.topic}:${item.reading}`} item={item} />
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">
          {d.status === 'paused'
            ? 'The channel is paused: resume it to see what its connector reads.'
            : 'The connector reports no readings for this provider.'}
        </p>
      )}
    </div>
  );
}

function Reading({ item }: { item: Diagnostic }) {
  return (
    <li>
      <span
        className={`pill diagnostic-${item.confirmed ? 'confirmed' : 'assumed'}`}
        title={
          item.confirmed
            ? 'The provider’s answers have confirmed this reading'
            : 'Assumed: nothing the provider documents or has answered confirms it yet'
        }
      >
        {item.confirmed ? 'Confirmed' : 'Assumed'}
      </span>{' '}
      <strong>{topicName(item.topic)}:</strong> {item.reading}
    </li>
  );
}
