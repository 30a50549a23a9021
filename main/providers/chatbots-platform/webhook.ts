// Chatbots Platform webhooks: check the 'sha256=' HMAC signature and the timestamp of a delivery, then
// turn its event into RealtimeEvents.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderError } from '../http';
import { id, isObj, obj, str, type Json } from '../parse';
import type { RealtimeEvent, RemoteMessageStatus, WebhookRequest } from '../types';
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

const REPLAY_WINDOW_MS = 5 * 60_000;

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

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The payload of a genuine, fresh delivery, and a name for it: its signature. The signature is taken only
 * from where the document puts it (the body's top-level "signature" field; a header or a nested field is no
 * signature) and checked over the exact bytes received, so a delivery changed in any way, even re-serialised,
 * does not verify, and a genuine one replayed has the same name. Throws ProviderError('auth') otherwise.
 */
export function verifyWebhook(req: WebhookRequest, secret: string): { payload: Json; deliveryId: string } {
  const raw = req.rawBody.toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw reject('the body is not JSON, so its signature cannot be checked');
  }
  if (!isObj(payload)) throw reject('the body is not a JSON object');
  const signed = signedText(raw);
  if (signed === null || typeof payload.signature !== 'string')
    throw reject('no signature (one "signature" string at the top level of the body)');
  const expected = 'sha256=' + createHmac('sha256', secret).update(signed).digest('hex');
  if (!sameSignature(expected, payload.signature)) throw reject('the signature does not match');
  const at = timeMs(payload.timestamp);
  if (at === null || Math.abs(Date.now() - at) > REPLAY_WINDOW_MS)
    throw reject('timestamp missing or outside the 5-minute window');
  return { payload, deliveryId: expected };
}

/** Doc: {event, timestamp, data}; the data's fields are our simulator's choice, read tolerantly. */
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
