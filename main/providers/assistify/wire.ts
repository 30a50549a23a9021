// Reading Assistify's JSON. Every field is untrusted: ids may be numbers or strings, lists may be plain
// arrays or DRF pages, and optional fields may be missing.
import { ProviderError } from '../http';
import { id, isObj, isoTime, num, obj, str, strings, type Json } from '../parse';
import type { RemoteConversation, RemoteMessage } from '../types';

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

const CLOSED_STATUSES = new Set(['closed', 'resolved', 'archived']);
// The doc only shows "customer"; anything else that names a sender (agent, bot, user, …) is the business.
const CUSTOMER_SENDERS = new Set(['customer', 'client', 'contact', 'visitor']);

export const senderOf = (m: Json): string => str(m.sender, '', 50).toLowerCase();
/** Customer messages, and messages that name no sender at all (the doc's example is a customer's). */
export const isInbound = (sender: string): boolean => sender === '' || CUSTOMER_SENDERS.has(sender);
export const isCustomer = (sender: string): boolean => CUSTOMER_SENDERS.has(sender);

const later = (a: string, b: string) => (a > b ? a : b);

export function toConversation(raw: unknown): RemoteConversation | null {
  const c = obj(raw);
  const conversationId = id(c.id);
  if (!conversationId) return null;
  const who = obj(c.customer);
  const customerId = id(c.customer_id) ?? id(who.id) ?? id(c.customer);
  const channel = str(c.channel, '', 50);
  const createdAt = isoTime(c.created_at);
  return {
    externalId: conversationId,
    contact: {
      // Without a customer id each conversation stands for its own contact.
      externalId: customerId ?? `conversation-${conversationId}`,
      name: str(who.name ?? c.customer_name, '', 200) || `Customer ${customerId ?? conversationId}`,
      handle: str(who.handle ?? who.phone ?? who.username, '', 200),
      platform: channel || undefined,
      tags: strings(who.tags),
    },
    lastActivityAt: c.updated_at ? later(createdAt, isoTime(c.updated_at, createdAt)) : createdAt,
    status: CLOSED_STATUSES.has(str(c.status, '', 50).toLowerCase()) ? 'resolved' : 'open',
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
  const inbound = isInbound(senderOf(m));
  return {
    // Scoped by conversation, in case a server numbers messages per conversation.
    externalId: `${conv}:${messageId}`,
    conversationExternalId: conv,
    direction: inbound ? 'in' : 'out',
    text: str(m.content ?? m.text, '', MAX_TEXT),
    type: 'text',
    createdAt: isoTime(m.created_at),
    status: inbound ? 'received' : 'sent',
    meta: classification(m),
  };
}
