// The team's conversations and messages as the API and the change feed show them: the local API's entities
// (main/domain/entities.ts) plus who is assigned (a conversation) or who wrote it (an agent's reply). The hub has
// no customers table: each contact is its own customer.
import type { ConversationStatus, Message, MessageStatus, ProviderId } from '../../main/domain/entities';
import { conversationFrom } from '../../main/domain/conversationView';
import type { HubConversation, HubMessage } from '../../main/contract/hub';
import type { Queryable } from './database';

export type { HubConversation, HubMessage };

interface ConversationRow {
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

const CONVERSATION_SELECT = `
  SELECT v.id, v.channel_id, ch.provider, v.status, v.unread_count, v.last_activity_at, v.waiting_since,
         v.snoozed_until, v.tags, v.assignee_id,
         c.id AS contact_id, c.name AS contact_name, c.handle AS contact_handle, c.platform AS contact_platform,
         c.email AS contact_email, c.tags AS contact_tags,
         m.id AS lm_id, m.text AS lm_text, m.direction AS lm_direction, m.created_at AS lm_created_at
  FROM conversations v
  JOIN channels ch ON ch.id = v.channel_id
  JOIN contacts c ON c.id = v.contact_id
  LEFT JOIN messages m ON m.id = v.last_message_id`;

/** The hub has no customers table: each contact is its own customer. */
export function toConversation(r: ConversationRow): HubConversation {
  return conversationFrom({ ...r, customer_id: r.contact_id });
}

/** The conversations with these ids, as the API shows them (in no particular order). */
export async function conversationViews(q: Queryable, ids: number[]): Promise<HubConversation[]> {
  if (!ids.length) return [];
  const { rows } = await q.query<ConversationRow>(`${CONVERSATION_SELECT} WHERE v.id = ANY($1::bigint[])`, [
    ids,
  ]);
  return rows.map(toConversation);
}

export interface MessageRow {
  id: number;
  conversation_id: number;
  channel_id: string;
  external_id: string | null;
  sent_id: string | null;
  direction: 'in' | 'out';
  text: string;
  type: Message['type'];
  created_at: string;
  status: MessageStatus;
  error: string | null;
  meta: Record<string, unknown> | null;
  author_id: string | null;
}

export function toMessage(r: MessageRow): HubMessage {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    direction: r.direction,
    text: r.text,
    type: r.type,
    createdAt: r.created_at,
    status: r.status,
    ...(r.error ? { error: r.error } : {}),
    ...(r.meta ? { meta: r.meta } : {}),
    authorId: r.author_id,
  };
}
