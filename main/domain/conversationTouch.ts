// A conversation's summary (last message, activity, waiting time, unread count, status) folded from a batch's new
// messages in memory, so that a batch writes each conversation once: the desktop's SQLite store and the hub's
// PostgreSQL store fold alike.
import type { ConversationStatus } from './entities';

export interface TouchRow {
  last_message_id: number | null;
  last_activity_at: string;
  waiting_since: string | null;
  status: ConversationStatus;
  snoozed_until: string | null;
}

/** A conversation's last message, activity, waiting time and status while a batch is applied. */
export interface Touch {
  id: number;
  lastMessageId: number | null;
  lastActivityAt: string;
  waitingSince: string | null;
  status: ConversationStatus;
  snoozedUntil: string | null;
  unreadDelta: number;
  /** The conversation as the batch found it. */
  before: TouchRow;
}

/**
 * One new message's effect on its conversation — exactly the touch statement, applied in memory so that a
 * batch writes each conversation (and its six indexes) once instead of once per message.
 */
export function foldMessage(
  t: Touch,
  messageId: number,
  createdAt: string,
  direction: 'in' | 'out',
  live: boolean,
): void {
  const last = t.lastActivityAt;
  if (createdAt >= last || t.lastMessageId === null) t.lastMessageId = messageId;
  if (!(createdAt < last)) t.waitingSince = direction === 'in' ? (t.waitingSince ?? createdAt) : null;
  if (createdAt > last) t.lastActivityAt = createdAt;
  if (live && direction === 'in') {
    t.unreadDelta++;
    if (t.status === 'resolved' || t.status === 'snoozed') t.status = 'open';
    t.snoozedUntil = null;
  }
}
