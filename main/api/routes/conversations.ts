// The unified inbox: listing, opening and changing conversations. A status change is told to the provider
// through the outbox where the connector can; marking read is told to it at once, best effort.
import { queueStatusPush } from '../../outbox/status';
import { DomainError } from '../../domain/errors';
import { localId, type HandlerDeps, type RouteHandlers } from './deps';

/** The conversation with this local id, or not_found. */
export function conversationById(d: HandlerDeps, id: string) {
  const c = d.store.conversations.get(localId(id, 'conversation'));
  if (!c) throw DomainError.notFound('conversation', id);
  return c;
}

async function markReadAtProvider(d: HandlerDeps, conversationId: number): Promise<void> {
  const ref = d.store.conversations.ref(conversationId);
  const connector = ref && d.channels.connectorFor(ref.channelId);
  if (!ref || !connector?.markRead) return;
  await connector
    .markRead({ externalId: ref.externalId, contactExternalId: ref.contactExternalId, meta: ref.meta })
    .catch(() => undefined);
}

type ConversationRoutes = 'listConversations' | 'getConversation' | 'patchConversation';

export const conversationRoutes = (d: HandlerDeps): RouteHandlers<ConversationRoutes> => ({
  listConversations: ({ query }) => d.store.conversations.list(query),
  getConversation: ({ params }) => conversationById(d, params.id),
  patchConversation: ({ params, body }) => {
    const before = conversationById(d, params.id);
    const c = d.store.conversations.patch(Number(before.id), body)!;
    d.events.emit('conversation.updated', c);
    if (body.status && queueStatusPush(d.store, d.channels.connectorFor(c.channelId), c, before.status))
      d.kickOutbox();
    if (body.read === true && before.unreadCount > 0) void markReadAtProvider(d, Number(c.id));
    return c;
  },
});
