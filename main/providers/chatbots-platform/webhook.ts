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

function header(req: WebhookRequest, name: string): string {
  const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name);
  const v = key ? req.headers[key] : undefined;
  return str(Array.isArray(v) ? v[0] : v, '', 500);
}

/**
 * The texts the signature may have been computed over. The doc signs JSON.stringify(payload) without the
 * signature field; another server may serialise differently, so the raw body (with the field cut out,
 * or whole when the signature came in a header) is tried as well.
 */
function signedTexts(raw: string, payload: Json): string[] {
  const unsigned = { ...payload };
  delete unsigned.signature;
  const field = /"signature"\s*:\s*"[^"]*"/;
  return [
    JSON.stringify(unsigned),
    raw.replace(new RegExp(`,\\s*${field.source}`), ''),
    raw.replace(new RegExp(`${field.source}\\s*,?`), ''),
    raw,
  ];
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The payload of a genuine, fresh delivery, and a name for it: the signature of its canonical form, the
 * same however a replay is re-serialised. Throws ProviderError('auth') otherwise.
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
  const given = [header(req, 'x-signature'), str(payload.signature, '', 500)]
    .filter(Boolean)
    .map((sig) => (sig.startsWith('sha256=') ? sig : `sha256=${sig}`));
  if (!given.length) throw reject('no signature');
  const expected = signedTexts(raw, payload).map(
    (text) => 'sha256=' + createHmac('sha256', secret).update(text).digest('hex'),
  );
  const genuine = given.some((sig) => expected.some((e) => sameSignature(e, sig)));
  if (!genuine) throw reject('the signature does not match');
  const at = timeMs(payload.timestamp);
  if (at === null || Math.abs(Date.now() - at) > REPLAY_WINDOW_MS)
    throw reject('timestamp missing or outside the 5-minute window');
  return { payload, deliveryId: expected[0] };
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
