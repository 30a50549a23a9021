// InstantChat payloads → the app's Remote* types. Every field is untrusted and read with parse.ts;
// a response whose envelope has the wrong shape throws ProviderError('malformed').
import { createHash } from 'node:crypto';
import { ProviderError } from '../http';
import { bool, id, isObj, isoTime, num, obj, str, type Json } from '../parse';
import type { MessageType } from '../../domain/entities';
import type { RemoteConversation, RemoteFlow, RemoteMessage } from '../../domain/remote';

const MAX_TEXT = 10_000;
const MESSAGE_TYPES: readonly MessageType[] = ['text', 'image', 'video', 'audio', 'file', 'other'];

const shortHash = (v: unknown) =>
  createHash('sha1').update(JSON.stringify(v)).digest('base64url').slice(0, 12);

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'an empty body';
  if (Array.isArray(v)) return 'a JSON array';
  return typeof v === 'string' ? `text (${JSON.stringify(v.slice(0, 60))})` : `a ${typeof v}`;
}

/** The documented `{success: true, …}` object; `success: false` on a 2xx answer is an error too. */
export function envelope(body: unknown, endpoint: string): Json {
  if (!isObj(body))
    throw new ProviderError('malformed', `${endpoint} returned ${describe(body)} instead of a JSON object`);
  if (body.success === false)
    throw new ProviderError(
      'server',
      `${endpoint} answered success:false (${str(body.message ?? body.error, 'no reason', 200)})`,
    );
  return body;
}

/** The list under `key`; items that are not objects are dropped. */
export function listIn(body: unknown, key: string, endpoint: string): Json[] {
  const items = envelope(body, endpoint)[key];
  if (!Array.isArray(items)) throw new ProviderError('malformed', `${endpoint} returned no '${key}' list`);
  return items.filter(isObj);
}

/** A readable message from the documented error envelope ({error, message} or {error, details}). */
export function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 200) || undefined;
  const b = obj(body);
  const details = Object.entries(obj(b.details))
    .map(([field, why]) => `${field}: ${str(why, '?', 200)}`)
    .join('; ');
  return str(b.message, '', 300) || details || str(b.error, '', 300) || undefined;
}

/** Doc silent on id scope: message ids are prefixed with their conversation, so per-conversation ids cannot collide. */
export const messageExternalId = (conversationId: string, messageId: string) =>
  `${conversationId}/${messageId}`;

/** What the conversation list says about one conversation: when it changes, its messages are re-read. */
export const fingerprint = (c: Json) => shortHash([c.timestamp, c.lastMessage, c.unreadCount]);

export const conversationId = (c: Json) => id(c.id ?? c._id);

export function toConversation(c: Json): RemoteConversation | null {
  const externalId = conversationId(c);
  if (!externalId) return null;
  const instagramUserId = id(c.instagramUserId);
  const username = str(c.username, '', 200);
  const avatar = str(c.avatar, '', 2000);
  return {
    externalId,
    contact: {
      externalId: instagramUserId ?? `conversation:${externalId}`,
      name: str(c.fullName, '', 200) || username || 'Instagram user',
      handle: username,
      platform: 'instagram',
      tags: [],
    },
    lastActivityAt: isoTime(c.timestamp),
    unreadCount: Math.max(0, Math.floor(num(c.unreadCount))),
    meta: {
      ...(instagramUserId ? { instagramUserId } : {}),
      ...(avatar ? { avatar } : {}),
      username,
    },
  };
}

/**
 * The direction rule. The document's example pairs `isFromUser: true` with sender "you" and `false` with the
 * customer's username, so `isFromUser` decides; without it, a sender that is "you" or the connected Instagram
 * account's own username (GET /api/instagram/status) is the page. Anything else is taken for the customer's,
 * marked as inferred so the store can still recognise a reply this app sent.
 */
export function messageDirection(
  m: Json,
  pageUsername: string | null,
): Pick<RemoteMessage, 'direction' | 'directionInferred'> {
  if (typeof m.isFromUser === 'boolean') return { direction: m.isFromUser ? 'out' : 'in' };
  const sender = str(m.sender, '', 200);
  if (sender === 'you' || (pageUsername !== null && sender === pageUsername)) return { direction: 'out' };
  return { direction: 'in', directionInferred: true };
}

/** A listed message; `pageUsername` is the connected Instagram account's, when known. */
export function toMessage(m: Json, convId: string, pageUsername: string | null): RemoteMessage {
  const direction = messageDirection(m, pageUsername);
  const text = str(m.content, '', MAX_TEXT);
  // A message without an id still needs a stable key: derive it from what identifies it.
  const messageId = id(m.id ?? m._id) ?? `h${shortHash([m.timestamp, direction.direction === 'out', text])}`;
  return {
    externalId: messageExternalId(convId, messageId),
    conversationExternalId: convId,
    ...direction,
    text,
    type: MESSAGE_TYPES.find((t) => t === m.type) ?? 'text',
    createdAt: isoTime(m.timestamp),
    // The document gives messages no delivery status: the page's own are sent, the rest received.
    status: direction.direction === 'out' ? 'sent' : 'received',
    meta: { sender: str(m.sender, '', 200), isInstagram: bool(m.isInstagram) },
  };
}

export function toFlow(f: Json): RemoteFlow | null {
  const externalId = id(f.id ?? f._id);
  if (!externalId) return null;
  const description = str(f.description, '', 2000);
  return {
    externalId,
    name: str(f.name, '', 200) || externalId,
    ...(description ? { description } : {}),
    active: bool(f.isActive),
  };
}
