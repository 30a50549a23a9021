// "Offline — N replies waiting · M need you" for each channel that cannot deliver right now. Only replies
// that go out by themselves on reconnect count as waiting; a failed reply and the later replies it holds
// need the agent (the banner in their conversation), so they are counted apart.
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
    .filter((x) => x.waiting > 0 || x.blocked > 0);
  if (!stuck.length) return null;
  return (
    <div className="offline-banners" role="status">
      {stuck.map(({ channel, waiting, blocked }) => (
        <div key={channel.id} className="banner banner-warn" title={channel.error}>
          <strong>
            Offline — {plural(waiting, 'reply', 'replies')} waiting
            {blocked > 0 && ` · ${blocked} need${blocked === 1 ? 's' : ''} you`}
          </strong>{' '}
          on {channel.name}.{waiting > 0 && ' Waiting replies go out by themselves when it reconnects.'}
          {blocked > 0 &&
            ` ${blocked === 1 ? 'One reply' : `${blocked} replies`} failed or ${blocked === 1 ? 'is' : 'are'} held behind a failed one: open ${blocked === 1 ? 'its conversation' : 'their conversations'} to retry, edit or discard.`}
        </div>
      ))}
    </div>
  );
}
