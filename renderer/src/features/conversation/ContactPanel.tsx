// Who the customer is (name, handle, platform, email, contact tags), the conversation's own tags, and the customer
// across channels: other conversations, linked contacts, merge and unmerge, the agent's note.
import type { Channel, Conversation } from '@contract/schemas';
import { fullTime } from '../../app/format';
import { Avatar } from '../../app/ui/Avatar';
import { ProviderBadge } from '../../app/ui/badges';
import { CustomerSection } from '../customers/CustomerSection';
import { TagEditor } from './TagEditor';

export function ContactPanel({
  conversation,
  channel,
}: {
  conversation: Conversation;
  channel: Channel | undefined;
}) {
  const { contact } = conversation;
  return (
    <aside className="contact-panel" aria-label="Contact">
      <div className="contact-head">
        <Avatar name={contact.name || contact.handle} size={48} />
        <div>
          <p className="contact-name">{contact.name || contact.handle}</p>
          <p className="contact-handle">{contact.handle}</p>
        </div>
      </div>
      <dl className="facts">
        <dt>Channel</dt>
        <dd>
          <ProviderBadge provider={conversation.provider} /> {channel?.name}
        </dd>
        {contact.platform && (
          <>
            <dt>Platform</dt>
            <dd>{contact.platform}</dd>
          </>
        )}
        {contact.email && (
          <>
            <dt>Email</dt>
            <dd>{contact.email}</dd>
          </>
        )}
        {contact.tags.length > 0 && (
          <>
            <dt>Contact tags</dt>
            <dd className="tag-list">
              {contact.tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </dd>
          </>
        )}
        {conversation.waitingSince && (
          <>
            <dt>Waiting since</dt>
            <dd>{fullTime(conversation.waitingSince)}</dd>
          </>
        )}
        {conversation.snoozedUntil && conversation.status === 'snoozed' && (
          <>
            <dt>Snoozed until</dt>
            <dd>{fullTime(conversation.snoozedUntil)}</dd>
          </>
        )}
      </dl>
      <TagEditor conversation={conversation} />
      <CustomerSection conversation={conversation} />
    </aside>
  );
}
