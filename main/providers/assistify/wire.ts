// Reading Assistify's JSON. Every field is untrusted: ids may be numbers or strings, lists may be plain
// arrays or DRF pages, and optional fields may be missing.
import { ProviderError } from '../http';
import { id, isObj, isoTime, num, obj, str, strings, type Json } from '../parse';
import type { RemoteConversation, RemoteMessage } from '../../domain/remote';

export const MAX_TEXT = 10_000;

export interface Page {
  items: unknown[];
  hasMore: boolean;
}

/** A list answer: a plain array (the doc's examples) or DRF's {count, next, previous, results}. */
export function readList(body: unknown, endpoint: string): Page {
  if (Array.isArray(body)) return { items: body, hasMore: false };
  if (isObj(body) && Array.isArray(body.results)) return { items: body.results, hasMore: Boolean(body.next) };
  throw new ProviderError('malformed', `${endpoint} returned neither a list nor a page of results`);
}

// The doc shows conversation statuses "active" and "closed" (close_conversation's answer); only "closed" is
// taken as resolved, so a status the doc does not name leaves the conversation in front of the agent.
const CLOSED = 'closed';

/**
 * Who wrote a message, by the doc's `sender` field. "customer" is the doc's own value; a sender naming someone
 * else (agent, bot, …) is the business. No sender, or one that may well name the customer under another word,
 * says nothing for sure: such a message is taken as inbound and marked inferred (the store then recognises the
 * app's own replies among them by conversation and text).
 */
export type Side = 'customer' | 'business' | 'unknown';
const MAYBE_CUSTOMER = new Set(['', 'user', 'client', 'contact', 'visitor']);

export const senderOf = (m: Json): string => str(m.sender, '', 50).trim().toLowerCase();
export function sideOf(sender: string): Side {
  if (sender === 'customer') return 'customer';
  return MAYBE_CUSTOMER.has(sender) ? 'unknown' : 'business';
}

const later = (a: string, b: string) => (a > b ? a : b);

/** The nested customer object, when a server gives one (the doc shows only `customer_id`). */
export const nestedCustomer = (raw: unknown): Json | null => {
  const who = obj(raw).customer;
  return isObj(who) ? who : null;
};

export function toConversation(raw: unknown): RemoteConversation | null {
  const c = obj(raw);
  const conversationId = id(c.id);
  if (!conversationId) return null;
  const who = nestedCustomer(c) ?? {};
  // DRF renders a foreign key as its id: `customer: 5` is read like `customer_id: 5`.
  const customerId = id(c.customer_id) ?? id(who.id) ?? id(c.customer);
  const channel = str(c.channel, '', 50);
  const createdAt = isoTime(c.created_at);
  return {
    externalId: conversationId,
    contact: {
      // Without a customer id each conversation stands for its own contact.
      externalId: customerId ?? `conversation-${conversationId}`,
      // Never a made-up handle: only what a nested customer object carries.
      name: str(who.name, '', 200) || `Customer ${customerId ?? conversationId}`,
      handle: str(who.handle, '', 200),
      platform: channel || undefined,
      tags: strings(who.tags),
    },
    lastActivityAt: c.updated_at ? later(createdAt, isoTime(c.updated_at, createdAt)) : createdAt,
    status: str(c.status, '', 50).toLowerCase() === CLOSED ? 'resolved' : 'open',
    meta: { channel, customerId },
  };
}

/** Assistify's intent/sentiment/confidence, kept for the UI. */
function classification(m: Json): Record<string, unknown> | undefined {
  const meta: Record<string, unknown> = {};
  const intent = str(m.intent, '', 50);
  const sentiment = str(m.sentiment, '', 50);
  const confidence = m.confidence == null ? NaN : num(m.confidence, NaN);
  if (intent) meta.intent = intent;
  if (sentiment) meta.sentiment = sentiment;
  if (Number.isFinite(confidence)) meta.confidence = confidence;
  return Object.keys(meta).length ? meta : undefined;
}

/** `conversationId` is where the message was found (a conversation's history or socket). */
export function toMessage(raw: unknown, conversationId?: string): RemoteMessage | null {
  const m = obj(raw);
  const messageId = id(m.id) ?? id(m.message_id);
  const conv =
    id(m.conversation_id) ?? id(m.conversation) ?? id(obj(m.conversation).id) ?? conversationId ?? null;
  if (!messageId || !conv) return null;
  const side = sideOf(senderOf(m));
  const out = side === 'business';
  return {
    // Scoped by conversation, in case a server numbers messages per conversation.
    externalId: `${conv}:${messageId}`,
    conversationExternalId: conv,
    direction: out ? 'out' : 'in',
    ...(side === 'unknown' && { directionInferred: true }),
    text: str(m.content ?? m.text, '', MAX_TEXT),
    type: 'text',
    createdAt: isoTime(m.created_at),
    // Assistify's messages carry no delivery status.
    status: out ? 'sent' : 'received',
    meta: classification(m),
  };
}
