// A conversation the agent resolves or reopens is told to its provider, where the provider's document has a way
// (ProviderConnector.setConversationStatus), through the outbox: offline it waits, then goes in order with the
// conversation's replies (a reply written before "resolve" reaches the customer first). Setting a status twice
// does no harm, so no reconciliation is needed; a newer change replaces one still waiting.
import crypto from 'node:crypto';
import type { Store } from '../db';
import type { Conversation, ConversationStatus } from '../domain/entities';
import type { ProviderConnector } from '../providers/types';

/** What the provider is told: resolved, or open (pending and snoozed are the agent's own ways of being open). */
const atProvider = (s: ConversationStatus): 'open' | 'resolved' => (s === 'resolved' ? 'resolved' : 'open');

/**
 * Queues the change of `conversation` from `previous` for its provider, when the provider would see a change and
 * its connector can say it. Answers whether something was queued.
 */
export function queueStatusPush(
  store: Store,
  connector: ProviderConnector | null,
  conversation: Conversation,
  previous: ConversationStatus,
): boolean {
  const status = atProvider(conversation.status);
  if (!connector?.setConversationStatus || status === atProvider(previous)) return false;
  const conversationId = Number(conversation.id);
  store.transaction(() => {
    store.outbox.supersedeStatus(conversationId);
    store.outbox.insert({
      kind: 'status',
      channelId: conversation.channelId,
      conversationId,
      messageId: null,
      payload: { status },
      key: crypto.randomUUID(),
    });
  });
  return true;
}
