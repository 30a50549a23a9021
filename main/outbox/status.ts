// A conversation the agent resolves or reopens is told to its provider, where the provider's document has a way
// (ProviderConnector.setConversationStatus), through the outbox: offline it waits, then goes in order with the
// conversation's replies (a reply written before "resolve" reaches the customer first). Setting a status twice
// does no harm, so no reconciliation is needed; a newer change replaces one still waiting.
import type { Conversation, ConversationStatus } from '../domain/entities';
import type { ProviderConnector } from '../providers/types';

/** What the provider is told: resolved, or open (pending and snoozed are the agent's own ways of being open). */
const atProvider = (s: ConversationStatus): 'open' | 'resolved' => (s === 'resolved' ? 'resolved' : 'open');

/**
 * What the provider of `conversation` is to be told of its change from `previous`, or null when the provider
 * would see no change or its connector cannot say it. The caller queues it, in place of one still waiting.
 */
export function statusPush(
  connector: ProviderConnector | null,
  conversation: Conversation,
  previous: ConversationStatus,
): 'open' | 'resolved' | null {
  const status = atProvider(conversation.status);
  return connector?.setConversationStatus && status !== atProvider(previous) ? status : null;
}
