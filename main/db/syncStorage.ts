// The sync engine's storage (domain/storage.ts) over the SQLite store: each method does its work when called,
// on the store's prepared statements, and answers a settled promise; provider batches go to the sync writer's
// thread.
import type { Store } from '.';
import type { SyncStorage } from '../domain/storage';

export function sqliteSyncStorage(store: Store): SyncStorage {
  return {
    prepare: async () => store.syncWriter.prepare(),
    cursor: async (channelId, stream) => store.syncState.get(channelId, stream),
    saveCursor: async (channelId, stream, at) => {
      if (store.isOpen() && store.channels.get(channelId)) store.syncState.set(channelId, stream, at);
    },
    storeBatch: (w) => store.syncWriter.write(w),
    storeLive: async (w) => store.syncWriter.writeNow(w),
    conversationRef: async (id) => store.conversations.ref(id),
    hasConversation: async (channelId, externalId) => store.conversations.exists(channelId, externalId),
    applyReceipt: async (channelId, externalId, status) =>
      store.messages.updateStatusByExternal(channelId, externalId, status),
    storeFlow: async (channelId, flow) => store.flows.upsertOne(channelId, flow),
    replaceFlows: async (channelId, flows) => store.flows.replaceForChannel(channelId, flows),
    replaceTemplates: async (channelId, templates) => store.templates.replaceForChannel(channelId, templates),
    channelStatus: async (channelId) => {
      const row = store.isOpen() ? store.channels.get(channelId) : undefined;
      return row ? { status: row.status, error: row.error } : null;
    },
    setChannelStatus: async (channelId, status, error) => store.channels.setStatus(channelId, status, error),
    markSynced: async (channelId) => store.channels.markSynced(channelId),
  };
}
