// Seeding the cache through the db layer, as sync would.
import type { Store } from '../../main/db';
import type { RemoteConversation, RemoteMessage } from '../../main/providers/types';

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
