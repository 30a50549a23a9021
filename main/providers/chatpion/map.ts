// ChatPion objects → the inbox's model: a subscriber is a contact and its one conversation; a message
// belongs to the conversation of its subscriber_id. Every field is read with the tolerant parse helpers.
import { id, isoTime, str, strings, type Json } from '../parse';
import type { MessageType } from '../../domain/entities';
import type {
  RemoteContact,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteMessageStatus,
} from '../../domain/remote';

const EPOCH = new Date(0).toISOString();
const TYPES: readonly MessageType[] = ['text', 'image', 'video', 'audio', 'file'];
const STATUSES: readonly RemoteMessageStatus[] = ['received', 'sent', 'delivered', 'read', 'failed'];

export function toContact(s: Json): RemoteContact | null {
  const externalId = id(s.id);
  if (!externalId) return null;
  const platformId = str(s.platform_id, '', 200);
  return {
    externalId,
    name: str(s.name, '', 200) || platformId || `Subscriber ${externalId}`,
    handle: platformId || externalId,
    platform: str(s.platform, '', 50) || undefined,
    email: str(s.email, '', 320) || undefined,
    tags: strings(s.tags),
  };
}

// Doc silent on activity: a subscriber reports no last-activity time, so lastActivityAt is its subscribed_at,
// or `activity` (its newest message in the batch) when later.
export function toConversation(s: Json, activity?: string): RemoteConversation | null {
  const contact = toContact(s);
  if (!contact) return null;
  const reported = isoTime(s.subscribed_at, EPOCH);
  return {
    externalId: contact.externalId,
    contact,
    lastActivityAt: activity && activity > reported ? activity : reported,
    status: 'open',
    meta: { platform: contact.platform ?? null, platformId: contact.handle, tags: contact.tags },
  };
}

/** The provider's own status, as it gave it; one the inbox does not know reads as the doc's first, sent. */
function statusOf(m: Json): RemoteMessageStatus {
  const s = str(m.status, '', 20).toLowerCase();
  return STATUSES.find((known) => known === s) ?? 'sent';
}

function typeOf(v: unknown): MessageType {
  const t = str(v, 'text', 20).toLowerCase();
  if (t === 'document') return 'file';
  return TYPES.find((known) => known === t) ?? 'other';
}

/**
 * Doc silent on direction: its message object has no field that says who wrote it, and its statuses
 * (sent, delivered, read, failed) could describe either side. So every message is inbound, flagged as
 * inferred: the store turns the ones that match a reply this app sent into that reply, and the connector
 * those that match its own broadcasts. `subscriberId` fills in for responses that omit subscriber_id (the
 * send answer of a lax server).
 */
export function toMessage(m: Json, subscriberId?: string): RemoteMessage | null {
  const externalId = id(m.id);
  const conversationExternalId = id(m.subscriber_id) ?? subscriberId;
  if (!externalId || !conversationExternalId) return null;
  const attachment = str(m.attachment, '', 2000);
  return {
    externalId,
    conversationExternalId,
    direction: 'in',
    directionInferred: true,
    text: str(m.message),
    type: typeOf(m.type),
    createdAt: isoTime(m.sent_at),
    status: statusOf(m),
    ...(attachment ? { meta: { attachment } } : {}),
  };
}

export function toFlow(f: Json): RemoteFlow | null {
  const externalId = id(f.id);
  if (!externalId) return null;
  return {
    externalId,
    name: str(f.name, '', 200) || `Flow ${externalId}`,
    description: str(f.description, '', 2000) || undefined,
    active: str(f.status).toLowerCase() === 'active',
  };
}

/** Maps a list, dropping items that cannot be keyed (no id). */
export function mapAll<T>(items: Json[], fn: (x: Json) => T | null): T[] {
  return items.map((x) => fn(x)).filter((x): x is T => x !== null);
}
