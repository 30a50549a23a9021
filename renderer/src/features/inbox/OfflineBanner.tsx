// "Offline — N replies waiting" for each channel that cannot deliver right now but has replies queued.
import type { Channel } from '@contract/schemas';
import { plural } from '../../app/format';
import { useChannels } from '../channels/useChannels';
import { useOutbox } from '../outbox/useOutbox';

const cannotDeliver = (c: Channel) =>
  c.status === 'offline' || c.status === 'auth_error' || (c.status === 'polling' && Boolean(c.error));

export function OfflineBanner() {
  const channels = useChannels().data?.items ?? [];
  const outbox = useOutbox().data?.items ?? [];
  const stuck = channels
    .filter(cannotDeliver)
    .map((channel) => ({
      channel,
      waiting: outbox.filter((o) => o.channelId === channel.id && o.kind === 'reply' && o.status !== 'sent')
        .length,
    }))
    .filter((x) => x.waiting > 0);
  if (!stuck.length) return null;
  return (
    <div className="offline-banners" role="status">
      {stuck.map(({ channel, waiting }) => (
        <div key={channel.id} className="banner banner-warn" title={channel.error}>
          <strong>Offline — {plural(waiting, 'reply', 'replies')} waiting</strong> on {channel.name}. They go
          out by themselves when it reconnects.
        </div>
      ))}
    </div>
  );
}
