// One inbox row. Memoized: a socket event re-renders only the rows whose conversation changed. Its avatar
// turns into a checkbox under the pointer or while conversations are picked: a click picks the row, a
// shift-click the range from the last one picked. The option's aria-checked carries the same state for
// assistive technology (a focusable checkbox inside an option would be an interactive control nested in one).
import { memo } from 'react';
import type { Conversation } from '@contract/schemas';
import { shortTime, since } from '../../app/format';
import { ConversationStatusBadge, ProviderBadge } from '../../app/ui/badges';
import { Avatar } from '../../app/ui/Avatar';
import { RowAssignee } from '../team/AssigneeControl';
import { PresenceAvatars } from '../team/PresenceViews';

interface RowProps {
  conversation: Conversation;
  channelName: string;
  isOpen: boolean;
  hasCursor: boolean;
  /** Picked for a bulk action. */
  selected: boolean;
  /** Some row is picked: every row shows its checkbox. */
  selecting: boolean;
  /** A reply of this conversation failed for good: marked instead of "You: …". */
  notDelivered: boolean;
  now: number;
  top: number;
  height: number;
  onOpen: (id: string) => void;
  onSelect: (id: string, range: boolean) => void;
}

export const ConversationRow = memo(function ConversationRow({
  conversation: c,
  channelName,
  isOpen,
  hasCursor,
  selected,
  selecting,
  notDelivered,
  now,
  top,
  height,
  onOpen,
  onSelect,
}: RowProps) {
  const unread = c.unreadCount > 0;
  return (
    <div
      id={`conversation-${c.id}`}
      role="option"
      aria-selected={isOpen}
      aria-checked={selected}
      className={`conv-row${isOpen ? ' is-open' : ''}${hasCursor ? ' has-cursor' : ''}${unread ? ' is-unread' : ''}${selected ? ' is-selected' : ''}${selecting ? ' is-selecting' : ''}`}
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => onOpen(c.id)}
    >
      <span
        className="conv-pick"
        aria-hidden="true"
        title={selected ? 'Unselect (x)' : 'Select (x; shift-click for a range)'}
        // Shift-click would otherwise select the text between the two rows.
        onMouseDown={(e) => {
          if (e.shiftKey) e.preventDefault();
        }}
        onClick={(e) => {
          e.stopPropagation();
          onSelect(c.id, e.shiftKey);
        }}
      >
        <Avatar name={c.contact.name} />
        <span className="conv-checkbox">{selected ? '✓' : ''}</span>
      </span>
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
          <PresenceAvatars conversationId={c.id} size={16} />
          <RowAssignee assigneeId={c.assigneeId} />
        </div>
      </div>
    </div>
  );
});
