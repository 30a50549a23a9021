// A conversation as the API shows it, from the columns both stores read it from (the desktop's SQLite, the
// hub's PostgreSQL): the conversation with its contact and last message joined, JSON columns already parsed.
import type { Conversation, ConversationStatus, ProviderId } from './entities';
import { platformLimit } from './textLimits';

export interface ConversationColumns {
  id: number;
  channel_id: string;
  provider: ProviderId;
  status: ConversationStatus;
  unread_count: number;
  last_activity_at: string;
  waiting_since: string | null;
  snoozed_until: string | null;
  tags: string[];
  assignee_id: string | null;
  customer_id: number;
  contact_id: number;
  contact_name: string;
  contact_handle: string;
  contact_platform: string | null;
  contact_email: string | null;
  contact_tags: string[];
  lm_id: number | null;
  lm_text: string | null;
  lm_direction: 'in' | 'out' | null;
  lm_created_at: string | null;
}

export function conversationFrom(r: ConversationColumns): Conversation {
  return {
    id: String(r.id),
    channelId: r.channel_id,
    provider: r.provider,
    contact: {
      id: String(r.contact_id),
      name: r.contact_name,
      handle: r.contact_handle,
      tags: r.contact_tags,
      ...(r.contact_platform ? { platform: r.contact_platform } : {}),
      ...(r.contact_email ? { email: r.contact_email } : {}),
    },
    customerId: String(r.customer_id),
    status: r.status,
    unreadCount: r.unread_count,
    lastMessage:
      r.lm_id !== null
        ? {
            id: String(r.lm_id),
            text: r.lm_text ?? '',
            direction: r.lm_direction ?? 'in',
            createdAt: r.lm_created_at ?? r.last_activity_at,
          }
        : null,
    lastActivityAt: r.last_activity_at,
    waitingSince: r.waiting_since,
    snoozedUntil: r.snoozed_until,
    tags: r.tags,
    maxTextLength: platformLimit(r.contact_platform)?.maxLength ?? null,
    assigneeId: r.assignee_id,
  };
}
