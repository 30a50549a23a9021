// The outbox dispatcher's storage (domain/storage.ts) over the SQLite store: each method does its work when
// called, on the store's prepared statements, and answers a settled promise. What depends on an item (a
// broadcast's recipient, a flow's state) is told by `onSettled`, inside the transaction that settles it.
import type { Store } from '.';
import type { OutboxRow, OutboxStorage, Settlement } from '../domain/storage';

export function sqliteOutboxStorage(
  store: Store,
  onSettled: (item: OutboxRow, outcome: Settlement) => void = () => undefined,
): OutboxStorage {
  const { outbox, messages } = store;
  return {
    due: async (limit) => outbox.due(limit),
    nextWake: async () => ({ at: outbox.nextWake(), sending: outbox.anySending() }),
    item: async (id) => outbox.get(id) ?? null,
    laterInConversation: async (conversationId, id) => outbox.laterInConversation(conversationId, id),
    offlineChannels: async () =>
      store.channels
        .all()
        .filter((c) => c.status === 'offline' && !c.paused)
        .map((c) => ({ id: c.id, provider: c.provider, error: c.error })),
    noteOutage: async (channelId, reason) => outbox.noteOutage(channelId, reason),
    releaseOutage: async (channelId) => outbox.releaseOutage(channelId),
    conversationRef: async (id) => store.conversations.ref(id),
    replyCarrying: async (conversationId, externalId) => messages.replyCarrying(conversationId, externalId),
    setMessageStatus: async (id, status, error) => messages.setStatus(id, status, error),
    markSending: async (id) => outbox.markSending(id),
    retryLater: async (id, why, at) => outbox.retryLater(id, why, at),
    markUnconfirmed: async (id, why, at) => outbox.markUnconfirmed(id, why, at),
    checkedUnconfirmed: async (id, why, at) => outbox.checkedUnconfirmed(id, why, at),
    settleSent: async (item, result, sent) =>
      store.transaction(() => {
        outbox.markSent(item.id);
        onSettled(item, { ok: true, result });
        return item.message_id !== null && sent
          ? messages.markSent(item.message_id, sent.externalId, sent.status)
          : null;
      }),
    settleFailed: async (item, reason) =>
      store.transaction(() => {
        outbox.markFailed(item.id, reason);
        onSettled(item, { ok: false, error: reason });
        return item.message_id === null ? null : messages.setStatus(item.message_id, 'failed', reason);
      }),
  };
}
