// Reading ChatAPI answers. Every field is untrusted (parse.ts readers); a list or object that is not
// where the document puts it is a ProviderError('malformed'), never a partial result.
import { createHash } from 'node:crypto';
import { ProviderError } from '../http';
import { arr, bool, id, isObj, isoTime, num, obj, str, strings, type Json } from '../parse';
import type { MessageType } from '../../domain/entities';
import type { RemoteConversation, RemoteMessage } from '../../domain/remote';

export interface Page {
  items: Json[];
  hasNext: boolean;
}

/** A list answer `{data: [...], pagination: {page, size, total, pages, has_next, has_prev}}`. */
export function listPage(body: unknown, endpoint: string, size: number): Page {
  const data = Array.isArray(body) ? body : isObj(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw new ProviderError('malformed', `${endpoint} returned no list in "data"`);
  const items = data.filter(isObj);
  const p = isObj(body) ? obj(body.pagination) : {};
  const page = num(p.page, NaN);
  const pages = num(p.pages, NaN);
  const hasNext =
    p.has_next !== undefined
      ? bool(p.has_next)
      : Number.isFinite(page) && Number.isFinite(pages)
        ? page < pages
        : items.length >= size;
  return { items, hasNext: hasNext && items.length > 0 };
}

/** The object in a single-object answer `{data: {...}}`, or the answer itself where it has no envelope. */
export function dataObject(body: unknown): Json {
  if (!isObj(body)) return {};
  return isObj(body.data) ? body.data : body;
}

/** The ChatAPI error envelope `{detail, error_code, status_code, errors?}` as one readable line. */
export function errorMessage(body: unknown): string | undefined {
  if (!isObj(body)) return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const detail = Array.isArray(body.detail)
    ? body.detail.map((d) => str(obj(d).msg ?? obj(d).message, '', 200)).join('; ')
    : str(body.detail ?? body.message, '', 500);
  const fields = arr(body.errors)
    .map((e) => `${str(obj(e).field, '', 100)}: ${str(obj(e).message, '', 200)}`)
    .join('; ');
  const code = str(body.error_code, '', 100);
  const text = [detail, fields].filter(Boolean).join(' — ');
  return text ? (code ? `${text} (${code})` : text) : code || undefined;
}

/** The user GET /clients/me names, if it names one (the document calls it client information). */
export function ownUserId(me: Json): string | null {
  return id(obj(me.user).id) ?? id(me.user_id) ?? id(obj(me.current_user).id);
}

function participants(room: Json): Json[] {
  return arr(room.participants ?? room.members ?? room.users).flatMap((p) => {
    if (isObj(p)) return [p];
    const pid = id(p);
    return pid ? [{ id: pid }] : [];
  });
}

const participantId = (p: Json) => id(p.id ?? p.user_id);

function participantIds(room: Json): string[] {
  return participants(room).flatMap((p) => participantId(p) ?? []);
}

const ms = (iso: string) => Date.parse(iso);

/** When the room last changed: its latest message, its update or its creation, whichever it reports. */
export function roomActivity(room: Json): string | null {
  const times = [room.last_message_at, room.updated_at, room.created_at]
    .filter((v) => v !== undefined && v !== null && v !== '')
    .map((v) => isoTime(v, ''))
    .filter(Boolean);
  return times.length ? times.reduce((a, b) => (ms(a) >= ms(b) ? a : b)) : null;
}

/** True when the room says anything about its activity, so a change in it can be seen in the room list. */
export function roomShowsActivity(room: Json): boolean {
  return ['last_message_at', 'updated_at', 'message_count'].some(
    (k) => room[k] !== undefined && room[k] !== null,
  );
}

/** A short digest of what, in a room list entry, changes when the room has news. */
export function roomFingerprint(room: Json): string {
  const parts = [
    room.last_message_at,
    room.updated_at,
    room.message_count,
    room.is_active,
    participantIds(room),
  ];
  return createHash('sha1').update(JSON.stringify(parts)).digest('base64url').slice(0, 8);
}

/** The id to send back as `room_id`: as the provider gave it (number or string). */
export function roomRef(raw: unknown, fallback: string): string | number {
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : (id(raw) ?? fallback);
}

/** True when the room lists who is in it (the document shows no room fields). */
export const listsParticipants = (room: Json) => participants(room).length > 0;

/**
 * A room as a conversation with its customer: the participant who is not the agent (`me`). While `me` is
 * unknown, or where rooms list no participants, the room itself is the contact, named by the room.
 */
export function roomConversation(room: Json, me: string | null): RemoteConversation | null {
  const roomId = id(room.id);
  if (!roomId) return null;
  const meta = obj(room.meta ?? room.metadata);
  const customer = me === null ? undefined : participants(room).find((p) => participantId(p) !== me);
  const customerId = customer && participantId(customer);
  const name =
    str(customer?.full_name ?? customer?.name ?? customer?.username ?? room.name, '', 200) || 'Customer';
  const email = str(customer?.email, '', 200);
  const platform = str(meta.platform, '', 50);
  return {
    externalId: roomId,
    contact: {
      externalId: customerId ?? `room:${roomId}`,
      name,
      handle: str(customer?.username, '', 200) || email || name,
      tags: strings(meta.tags ?? room.tags),
      ...(email ? { email } : {}),
      ...(platform ? { platform } : {}),
    },
    lastActivityAt: roomActivity(room) ?? isoTime(undefined),
    // A status only where the room reports one: none is not "open".
    ...(room.is_active === undefined ? {} : { status: bool(room.is_active, true) ? 'open' : 'resolved' }),
    meta: { roomId: roomRef(room.id, roomId) },
  };
}

const TYPES: Record<string, MessageType> = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
};

/** Who wrote a message, where it says (the document shows no message fields). */
export const senderOf = (m: Json): string | null =>
  id(m.sender_id) ?? id(m.user_id) ?? id(obj(m.sender).id) ?? id(obj(m.user).id);

/**
 * A message of room `roomId`: out when its sender is the agent (`me`); otherwise in, marked inferred, since no
 * field the document defines says who wrote it (the store still recognises the app's own replies among them).
 * Deleted or id-less messages are skipped.
 */
export function toMessage(m: Json, roomId: string, me: string | null): RemoteMessage | null {
  const externalId = id(m.id);
  if (!externalId || bool(m.is_deleted)) return null;
  const senderId = senderOf(m);
  const out = me !== null && senderId === me;
  const messageType = str(m.message_type, 'text', 50);
  const senderName = str(m.sender_name, '', 200);
  const editedAt = m.edited_at ? isoTime(m.edited_at, '') : '';
  return {
    externalId,
    conversationExternalId: roomId,
    direction: out ? 'out' : 'in',
    ...(out ? {} : { directionInferred: true }),
    text: str(m.content),
    type: TYPES[messageType] ?? 'other',
    createdAt: isoTime(m.created_at),
    // ChatAPI reports no delivery status: a message it lists was sent (the store shows a customer's as received).
    status: 'sent',
    meta: {
      messageType,
      ...(senderId ? { senderId } : {}),
      ...(senderName ? { senderName } : {}),
      ...(editedAt ? { editedAt } : {}),
    },
  };
}
