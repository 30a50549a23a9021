// Seeding the cache through the db layer, as sync would.
import type { Store } from '../../main/db';
import type { OutboxRow } from '../../main/domain/storage';
import type { RemoteConversation, RemoteMessage } from '../../main/domain/remote';

export function seedChannel(store: Store, id = 'ch1', provider: 'chatapi' | 'chatpion' = 'chatapi'): string {
  store.channels.insert({
    id,
    provider,
    name: `Test ${id}`,
    baseUrl: 'http://127.0.0.1:9',
    credentials: Buffer.from('x'),
    webhookSecret: Buffer.from('s'),
  });
  return id;
}

export function conv(externalId: string, name: string, at: string, tags: string[] = []): RemoteConversation {
  return {
    externalId,
    contact: {
      externalId: `c-${externalId}`,
      name,
      handle: name.toLowerCase().replace(/\s/g, '.'),
      tags,
      platform: 'facebook',
    },
    lastActivityAt: at,
  };
}

export function msg(
  externalId: string,
  convId: string,
  text: string,
  at: string,
  direction: 'in' | 'out' = 'in',
): RemoteMessage {
  return {
    externalId,
    conversationExternalId: convId,
    direction,
    text,
    type: 'text',
    createdAt: at,
    status: direction === 'in' ? 'received' : 'sent',
  };
}

/** One conversation, as a sync batch brings it; answers its local id. */
export function seedConversation(store: Store, channelId: string, externalId = 'x1', name = 'Ana'): number {
  const applied = store.ingest.applyBatch(
    channelId,
    [conv(externalId, name, '2026-01-01T10:00:00.000Z')],
    [],
    {
      live: true,
    },
  );
  return Number([...applied.conversations][0]);
}

/** A reply as POST /messages writes it: the local message and its outbox row, in one transaction. */
export function queueReply(
  store: Store,
  channelId: string,
  conversationId: number,
  text: string,
  key?: string,
): { messageId: number; row: OutboxRow } {
  return store.transaction(() => {
    const m = store.messages.insertLocalReply(conversationId, channelId, text, {});
    const row = store.outbox.insert({
      kind: 'reply',
      channelId,
      conversationId,
      messageId: Number(m.id),
      payload: { text },
      key: key ?? `${text}-${m.id}`,
    });
    return { messageId: Number(m.id), row };
  });
}
