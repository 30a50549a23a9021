// "Offline — N replies waiting" for each channel that cannot deliver right now but has replies queued. Only
// replies that go out by themselves on reconnect count as waiting; a failed reply and the later replies it
// holds need the agent (the banner in their conversation), so they are named apart.
import type { Channel, OutboxItem } from '@contract/schemas';
import { plural } from '../../app/format';
import { useChannels } from '../channels/useChannels';
import { useOutbox } from '../outbox/useOutbox';

const cannotDeliver = (c: Channel) =>
  c.status === 'offline' || c.status === 'auth_error' || (c.status === 'polling' && Boolean(c.error));

const goesOutByItself = (o: OutboxItem) => (o.status === 'queued' || o.status === 'sending') && !o.heldBy;
const needsTheAgent = (o: OutboxItem) => o.status === 'failed' || Boolean(o.heldBy);

export function OfflineBanner() {
  const channels = useChannels().data?.items ?? [];
  const outbox = useOutbox().data?.items ?? [];
  const stuck = channels
    .filter(cannotDeliver)
    .map((channel) => {
      const replies = outbox.filter((o) => o.channelId === channel.id && o.kind === 'reply');
      return {
        channel,
        waiting: replies.filter(goesOutByItself).length,
        blocked: replies.filter(needsTheAgent).length,
      };
    })
    .filter((x) => x.waiting > 0);
  if (!stuck.length) return null;
  return (
    <div className="offline-banners" role="status">
      {stuck.map(({ channel, waiting, blocked }) => (
        <div key={channel.id} className="banner banner-warn" title={channel.error}>
          <strong>Offline — {plural(waiting, 'reply', 'replies')} waiting</strong> on {channel.name}. They go
          out by themselves when it reconnects.
          {blocked > 0 &&
            ` ${plural(blocked, 'other reply', 'other replies')} failed or held behind a failed one: see their conversations.`}
        </div>
      ))}
    </div>
  );
}
