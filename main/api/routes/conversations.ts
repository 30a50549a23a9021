// The unified inbox: listing, opening and changing conversations. A status change is told to the provider
// through the outbox where the connector can; marking read is told to it at once, best effort.
import { statusPush } from '../../outbox/status';
import type { Conversation, ConversationPatch } from '../../contract/schemas';
import { DomainError } from '../../domain/errors';
import { localId, soloMode, type HandlerDeps, type RouteHandlers } from './deps';

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

/**
 * Stores the agent's change to a conversation and, for a status its provider would see, queues it for the
 * provider; answers the conversation and whether the outbox has new work. The caller tells open windows.
 */
export function applyConversationPatch(
  d: HandlerDeps,
  before: Conversation,
  patch: ConversationPatch,
): { conversation: Conversation; queued: boolean } {
  // A team's conversation: the hub tells its provider; the change is queued for the hub instead.
  if (d.team.owns(before.id)) return { conversation: d.team.patchLocal(before, patch), queued: false };
  const conversation = d.store.conversations.patch(Number(before.id), patch)!;
  const connector = d.channels.connectorFor(conversation.channelId);
  const status = patch.status ? statusPush(connector, conversation, before.status) : null;
  if (status) d.store.outbox.queueStatus(conversation.channelId, Number(conversation.id), status);
  return { conversation, queued: status !== null };
}

type ConversationRoutes = 'listConversations' | 'getConversation' | 'patchConversation';

export const conversationRoutes = (d: HandlerDeps): RouteHandlers<ConversationRoutes> => ({
  listConversations: ({ query }) => d.store.conversations.list(query),
  getConversation: ({ params }) => {
    const c = conversationById(d, params.id);
    return { ...c, notes: d.team.owns(c.id) ? d.team.notes(c.id) : [] };
  },
  patchConversation: async ({ params, body }) => {
    const { assigneeId, expectedAssigneeId, ...rest } = body;
    let before = conversationById(d, params.id);
    if (assigneeId !== undefined) {
      if (!d.team.owns(before.id)) throw soloMode('Assignees');
      before = await d.team.assign(before, assigneeId, expectedAssigneeId);
    }
    const { conversation: c, queued } = applyConversationPatch(d, before, rest);
    d.events.emit('conversation.updated', c);
    if (queued) d.kickOutbox();
    if (body.read === true && before.unreadCount > 0) void markReadAtProvider(d, Number(c.id));
    return c;
  },
});
