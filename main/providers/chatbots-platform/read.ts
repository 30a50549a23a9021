// Reading Chatbots Platform answers. The document fixes the envelopes and the pagination block but not
// the resources' fields, so every field is untrusted and read under the spellings a server of this API
// plausibly uses (our simulator's first).
import { ProviderError } from '../http';
import { bool, id, isObj, isoTime, num, obj, str, strings, type Json } from '../parse';
import type { MessageType } from '../../domain/entities';
import type {
  RemoteContact,
  RemoteConversation,
  RemoteFlow,
  RemoteMessage,
  RemoteMessageStatus,
  RemoteTemplate,
} from '../../domain/remote';

/** The value of the first of several spellings that is present. */
function first(o: Json, keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

const malformed = (endpoint: string, what: string) =>
  new ProviderError('malformed', `${endpoint} returned ${what}`);

/** Doc: every answer is {status: 'success', data}. */
export function unwrap(body: unknown, endpoint: string): unknown {
  if (!isObj(body) || body.data === undefined || (body.status !== undefined && body.status !== 'success'))
    throw malformed(endpoint, "no {status: 'success', data} envelope");
  return body.data;
}

export interface Page {
  items: Json[];
  /** The last page number, or null when the server did not say. */
  last: number | null;
}

/** Doc: data = {items, pagination: {total, page, pageSize, pages, next, prev}}. */
export function readPage(body: unknown, endpoint: string, page: number): Page {
  const data = unwrap(body, endpoint);
  const items = Array.isArray(data) ? data : obj(data).items;
  if (!Array.isArray(items)) throw malformed(endpoint, 'no items list');
  const p = obj(obj(data).pagination);
  const pages = num(p.pages, NaN);
  const byTotal = Math.ceil(num(p.total, NaN) / num(p.pageSize, NaN));
  let last: number | null = null;
  if (Number.isFinite(pages)) last = pages;
  else if (Number.isFinite(byTotal)) last = byTotal;
  else if (Array.isArray(data) || ('next' in p && !p.next) || items.length === 0) last = page;
  return { items: items.filter(isObj), last };
}

/** Milliseconds of a timestamp field, or null when it is missing or absurd. */
export function timeMs(v: unknown): number | null {
  const iso = isoTime(v, '');
  return iso ? Date.parse(iso) : null;
}

const ACTIVITY_KEYS = [
  'lastMessageAt',
  'lastActivityAt',
  'updatedAt',
  'createdAt',
  'last_message_at',
  'updated_at',
  'created_at',
];

/** The latest of several times; null when none is known. */
function latest(times: (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length ? Math.max(...known) : null;
}

const MESSAGE_TIME_KEYS = ['createdAt', 'timestamp', 'sentAt', 'created_at'];

export const messageTimeMs = (m: Json): number | null => timeMs(first(m, MESSAGE_TIME_KEYS));

/** A conversation's latest activity (its own times or its last message's), or null when none is usable. */
export const activityMs = (c: Json): number | null =>
  latest([...ACTIVITY_KEYS.map((k) => timeMs(c[k])), messageTimeMs(obj(c.lastMessage))]);

/** When a conversation was created: a list sorted by this cannot be cut short by activity. */
export const createdMs = (c: Json): number | null => timeMs(first(c, ['createdAt', 'created_at']));

/** When a message last changed (created, or its status updated). */
export const messageChangeMs = (m: Json): number | null =>
  latest([messageTimeMs(m), timeMs(first(m, ['updatedAt', 'updated_at']))]);

const CLOSED = ['closed', 'resolved', 'ended', 'archived', 'completed'];
/** Stands in for a missing activity time: sorts last instead of jumping to the top of the inbox. */
const UNKNOWN_TIME = new Date(Date.UTC(2000, 0, 1)).toISOString();

function readContact(c: Json, conversationId: string): RemoteContact {
  const p = obj(first(c, ['contact', 'user', 'customer', 'participant']));
  const handle = str(first(p, ['handle', 'username', 'phone', 'email']), '', 200);
  const name =
    str(first(p, ['name', 'displayName', 'fullName', 'username']), '', 200) ||
    str(first(c, ['contactName', 'userName', 'customerName']), '', 200) ||
    handle ||
    'Unknown contact';
  const platform =
    str(first(p, ['platform', 'channel']), '', 50) || str(first(c, ['platform', 'channel']), '', 50);
  const email = str(p.email, '', 200);
  return {
    // Doc silent on contacts: without a contact id, the conversation stands for its contact.
    externalId:
      id(first(p, ['id', '_id'])) ??
      id(first(c, ['contactId', 'userId', 'customerId'])) ??
      `conversation:${conversationId}`,
    name,
    handle: handle || name,
    ...(platform ? { platform } : {}),
    ...(email ? { email } : {}),
    tags: [...new Set([...strings(p.tags), ...strings(c.tags)])],
  };
}

export function readConversation(raw: unknown): RemoteConversation | null {
  if (!isObj(raw)) return null;
  const externalId = id(first(raw, ['id', '_id', 'conversationId']));
  if (!externalId) return null;
  const activity = activityMs(raw);
  const chatbotId = id(first(raw, ['chatbotId', 'botId']));
  const status = str(raw.status).toLowerCase();
  return {
    externalId,
    contact: readContact(raw, externalId),
    lastActivityAt: activity === null ? UNKNOWN_TIME : new Date(activity).toISOString(),
    // No status field: the provider says nothing, and the agent's own status stands.
    ...(status ? { status: CLOSED.includes(status) ? ('resolved' as const) : ('open' as const) } : {}),
    ...(raw.unreadCount !== undefined ? { unreadCount: Math.max(0, Math.floor(num(raw.unreadCount))) } : {}),
    ...(chatbotId ? { meta: { chatbotId } } : {}),
  };
}

/** Author values for the customer's side. 'user' also names the platform's own (logged-in) users in this API. */
const INBOUND = 'user customer contact visitor client human end_user inbound incoming in'.split(' ');
/** Author values that can only mean the business's side: an agent, a bot, the system. */
const OUTBOUND = 'agent bot chatbot assistant operator system admin outbound outgoing out'.split(' ');

/** Who wrote a message, as the server put it (e.g. 'user', 'agent', 'bot'); '' when it does not say. */
function senderOf(m: Json): string {
  for (const k of ['direction', 'sender', 'senderType', 'role', 'from', 'author']) {
    const v = m[k];
    const s = (isObj(v) ? str(first(v, ['type', 'role', 'kind'])) : str(v)).toLowerCase();
    if (INBOUND.includes(s) || OUTBOUND.includes(s)) return s;
  }
  return '';
}

const TYPES: MessageType[] = ['text', 'image', 'video', 'audio', 'file'];

/** The provider's own status of a message; 'sent' (it holds the message) when it gives none we know. */
function providerStatus(v: unknown): RemoteMessageStatus {
  const s = str(v).toLowerCase();
  if (s === 'seen') return 'read';
  if (s === 'error') return 'failed';
  return (['received', 'sent', 'delivered', 'read', 'failed'] as const).find((x) => x === s) ?? 'sent';
}

/**
 * `conversationId`: the conversation being read, for servers that do not repeat it on each message.
 * Direction: the document defines no message fields. A message whose author field (the server's own answer)
 * names the business's side is outbound; every other one, with no such field or naming a user, is inbound
 * by inference (`directionInferred`), with the provider's status kept: the store takes it for the app's own
 * reply when it matches one this app sent.
 */
export function readMessage(raw: unknown, conversationId?: string): RemoteMessage | null {
  if (!isObj(raw)) return null;
  const externalId = id(first(raw, ['id', '_id', 'messageId']));
  const conversationExternalId = id(first(raw, ['conversationId', 'conversation_id'])) ?? conversationId;
  if (!externalId || !conversationExternalId) return null;
  const sender = senderOf(raw);
  const outbound = OUTBOUND.includes(sender);
  const body = first(raw, ['text', 'content', 'message', 'body']);
  const type = str(raw.type).toLowerCase();
  return {
    externalId,
    conversationExternalId,
    ...(outbound ? { direction: 'out' as const } : { direction: 'in' as const, directionInferred: true }),
    text: isObj(body) ? str(first(body, ['text', 'body'])) : str(body),
    type: type === '' ? 'text' : (TYPES.find((t) => t === type) ?? 'other'),
    createdAt: isoTime(first(raw, MESSAGE_TIME_KEYS)),
    status: providerStatus(raw.status),
    ...(sender ? { meta: { sender } } : {}),
  };
}

/** Doc silent on the field: `status` 'active'/'inactive', also read from `active`/`isActive`/`enabled`. */
function isActive(b: Json): boolean {
  for (const k of ['active', 'isActive', 'enabled']) if (b[k] !== undefined) return bool(b[k]);
  return ['active', 'deployed', 'published', 'enabled', 'live', 'running'].includes(
    str(b.status).toLowerCase(),
  );
}

export function readFlow(raw: unknown): RemoteFlow | null {
  if (!isObj(raw)) return null;
  const externalId = id(first(raw, ['id', '_id']));
  if (!externalId) return null;
  const description = str(raw.description, '', 1000);
  return {
    externalId,
    name: str(first(raw, ['name', 'title']), '', 200) || `Chatbot ${externalId}`,
    ...(description ? { description } : {}),
    active: isActive(raw),
  };
}

export function readTemplate(raw: unknown): RemoteTemplate | null {
  if (!isObj(raw)) return null;
  const externalId = id(first(raw, ['id', '_id']));
  const text = str(first(raw, ['content', 'text', 'body', 'message']));
  if (!externalId || !text) return null;
  return { externalId, name: str(first(raw, ['name', 'title']), '', 200) || text.slice(0, 40), text };
}
