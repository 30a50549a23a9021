// One inbox row. Memoized: a socket event re-renders only the rows whose conversation changed.
import { memo } from 'react';
import type { Conversation } from '@contract/schemas';
import { shortTime, since } from '../../app/format';
import { ConversationStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { Avatar } from '../../app/ui/Avatar';

interface RowProps {
  conversation: Conversation;
  channelName: string;
  isOpen: boolean;
  hasCursor: boolean;
  /** A reply of this conversation failed for good: marked instead of "You: …". */
  notDelivered: boolean;
  now: number;
  top: number;
  height: number;
  onOpen: (id: string) => void;
}

export const ConversationRow = memo(function ConversationRow({
  conversation: c,
  channelName,
  isOpen,
  hasCursor,
  notDelivered,
  now,
  top,
  height,
  onOpen,
}: RowProps) {
  const unread = c.unreadCount > 0;
  return (
    <div
      id={`conversation-${c.id}`}
      role="option"
      aria-selected={isOpen}
      className={`conv-row${isOpen ? ' is-open' : ''}${hasCursor ? ' has-cursor' : ''}${unread ? ' is-unread' : ''}`}
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => onOpen(c.id)}
    >
      <Avatar name={c.contact.name} />
      <div className="conv-main">
        <div className="conv-line">
          <span className="conv-name">{c.contact.name || c.contact.handle}</span>
          <time className="conv-time" dateTime={c.lastActivityAt}>
            {shortTime(c.lastActivityAt)}
          </time>
        </div>
        <div className="conv-line">
          <span className="conv-preview">
            {notDelivered ? (
              <span className="conv-failed">! Not delivered</span>
            ) : (
              c.lastMessage?.direction === 'out' && <span className="conv-you">You: </span>
            )}
            {c.lastMessage?.text ?? 'No messages yet'}
          </span>
          {unread && (
            <span className="unread-count" aria-label={`${c.unreadCount} unread`}>
              {c.unreadCount}
            </span>
          )}
        </div>
        <div className="conv-line conv-meta">
          <ProviderBadge provider={c.provider} />
          <span className="conv-channel">{channelName}</span>
          {c.status !== 'open' && <ConversationStatusBadge status={c.status} />}
          {c.waitingSince && c.status !== 'resolved' && (
            <span className="conv-waiting" title="Time since the customer's first unanswered message">
              waiting {since(c.waitingSince, now)}
            </span>
          )}
        </div>
      </div>
    </div>
  );
});
