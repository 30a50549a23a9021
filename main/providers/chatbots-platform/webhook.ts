// Chatbots Platform webhooks: check the 'sha256=' HMAC signature of a delivery, then turn its event into
// RealtimeEvents.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderError } from '../http';
import { id, isObj, obj, str, type Json } from '../parse';
import type { RemoteMessageStatus } from '../../domain/remote';
import type { RealtimeEvent, WebhookRequest } from '../types';
import { readConversation, readFlow, readMessage, timeMs } from './read';

/** The two events the document names. */
export const DOCUMENTED_EVENTS = ['conversation.created', 'message.received'];
/** Doc silent on other event names: message status and chatbot events as our simulator sends them. */
export const WEBHOOK_EVENTS = [
  ...DOCUMENTED_EVENTS,
  'conversation.updated',
  'message.sent',
  'message.delivered',
  'message.read',
  'chatbot.updated',
];

/**
 * A genuine delivery older than this is re-read from the API rather than applied: the local server refuses a
 * replay by the delivery's name for 15 minutes (api/webhooks.ts), so an older one may be a replay.
 */
const STALE_AFTER_MS = 10 * 60_000;

/** What the signature was found to cover: the bytes received, or the document's JSON.stringify of the payload. */
export type SignedOver = 'bytes' | 'document';

export interface VerifiedDelivery {
  payload: Json;
  /** The verified signature: a replay carries the same one, however it is re-serialised. */
  deliveryId: string;
  signedOver: SignedOver;
  /** Its timestamp is older than STALE_AFTER_MS (a delivery without one is not). */
  stale: boolean;
}

const STATUS_EVENTS = new Map<string, RemoteMessageStatus>([
  ['message.delivered', 'delivered'],
  ['message.read', 'read'],
  ['message.failed', 'failed'],
]);

const reject = (why: string) => new ProviderError('auth', `webhook rejected: ${why}`);

/** Index just past the JSON string that starts at `i` (a '"'). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

const skipSpace = (text: string, i: number) => {
  while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  return i;
};

/** Where the members named `name` of the top-level object are: [start of the key, end of a string value). */
function topLevelStringMembers(raw: string, name: string): [number, number][] | null {
  const found: [number, number][] = [];
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const end = stringEnd(raw, i);
      const colon = skipSpace(raw, end);
      // Only a key is followed by ':'.
      if (depth === 1 && raw[colon] === ':' && JSON.parse(raw.slice(i, end)) === name) {
        const value = skipSpace(raw, colon + 1);
        if (raw[value] !== '"') return null;
        found.push([i, stringEnd(raw, value)]);
      }
      i = end - 1;
    }
  }
  return found;
}

/**
 * What the provider signed: the bytes received without the top-level "signature" member and the comma that
 * joined it (the document's sender signs JSON.stringify(payload), then adds the signature to that object).
 * Null unless exactly one such member holds a string.
 */
function signedText(raw: string): string | null {
  const members = topLevelStringMembers(raw, 'signature');
  if (members?.length !== 1) return null;
  const [start, end] = members[0];
  const before = raw.slice(0, start).trimEnd();
  if (before.endsWith(',')) return before.slice(0, -1) + raw.slice(end);
  const after = skipSpace(raw, end);
  return raw.slice(0, start) + raw.slice(raw[after] === ',' ? after + 1 : end);
}

function signs(secret: string, text: string, given: string): boolean {
  const a = Buffer.from('sha256=' + createHmac('sha256', secret).update(text).digest('hex'));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The payload of a genuine delivery, and a name for it: its signature. The signature is taken only from where
 * the document puts it (the body's top-level "signature" field; a header or a nested field is no signature)
 * and checked over the bytes received without that member (any sender that signs what it sends), else over
 * JSON.stringify of the payload without it, the document's own verifyWebhookSignature (a sender that signs
 * compact JSON and sends it laid out otherwise). The document requires no timestamp, so none is required;
 * a replay is refused by its name, which re-serialising does not change. Throws ProviderError('auth').
 */
export function verifyWebhook(req: WebhookRequest, secret: string): VerifiedDelivery {
  const raw = req.rawBody.toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw reject('the body is not JSON, so its signature cannot be checked');
  }
  if (!isObj(payload)) throw reject('the body is not a JSON object');
  const signed = signedText(raw);
  const given = payload.signature;
  if (signed === null || typeof given !== 'string')
    throw reject('no signature (one "signature" string at the top level of the body)');
  const unsigned: Json = { ...payload };
  delete unsigned.signature;
  let signedOver: SignedOver;
  if (signs(secret, signed, given)) signedOver = 'bytes';
  else if (signs(secret, JSON.stringify(unsigned), given)) signedOver = 'document';
  else throw reject('the signature does not match');
  const at = timeMs(payload.timestamp);
  return { payload, deliveryId: given, signedOver, stale: at !== null && Date.now() - at > STALE_AFTER_MS };
}

/** Doc: {event, timestamp, data}; the data ("event-specific") is read tolerantly: the subject itself or wrapped. */
export function webhookEvents(payload: Json): RealtimeEvent[] {
  const event = str(payload.event, '', 100);
  const data = obj(payload.data);
  const conversation = readConversation(data.conversation) ?? undefined;
  if (event === 'message.received' || event === 'message.sent' || event === 'message.created') {
    const message = readMessage(
      data.message ?? data,
      conversation?.externalId ?? id(data.conversationId) ?? undefined,
    );
    if (message) return [{ kind: 'message', message, conversation }];
  } else if (STATUS_EVENTS.has(event)) {
    const externalId = id(obj(data.message).id ?? data.messageId ?? data.id);
    const status = STATUS_EVENTS.get(event);
    if (externalId && status) return [{ kind: 'message.status', externalId, status }];
  } else if (event.startsWith('conversation.')) {
    const c = conversation ?? readConversation(data);
    if (c) return [{ kind: 'conversation', conversation: c }];
  } else if (event.startsWith('chatbot.')) {
    const flow = readFlow(data.chatbot ?? data);
    if (flow) return [{ kind: 'flow', flow }];
  }
  // An event we cannot read (or do not know): reconcile instead.
  return [{ kind: 'resync' }];
}
