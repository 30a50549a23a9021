// A conversation's messages: pages from the cache, older history from the provider when the cache ends,
// and the agent's reply, durable (message and outbox row in one transaction) before the 202.
import crypto from 'node:crypto';
import { emitOutboxItem, type HandlerDeps, type RouteHandlers } from './deps';
import { conversationById } from './conversations';
import { DomainError } from '../../domain/errors';
import { replyTooLong } from '../../domain/textLimits';

/** How long a page of messages waits for the provider when the agent scrolls past the cache. */
const HISTORY_WAIT_MS = 3_000;

export const messageRoutes = (d: HandlerDeps): RouteHandlers<'listMessages' | 'sendReply'> => {
  const { store, events } = d;
  return {
    listMessages: async ({ params, query }) => {
      const conv = conversationById(d, params.id);
      const id = Number(conv.id);
      const page = store.messages.list(id, query.before, query.limit);
      const sync = d.channels.syncFor(conv.channelId);
      if (page.nextCursor !== null || !sync || !(await sync.mayHaveOlder(id))) return page;
      // Opening the conversation: what the cache has, at once, and a cursor; the provider is asked only when
      // the agent pages on (the app does so by itself when the page does not fill the view).
      if (!query.before && page.items.length) return store.messages.list(id, undefined, query.limit, true);
      // The cache ends here and the provider may have more: ask it, for a moment at most (what comes later is
      // pushed as message.created). Nothing new (it is down, or the history ends there): the cache's answer.
      const deadline = Date.now() + HISTORY_WAIT_MS;
      let answer = page;
      for (;;) {
        const added = await Promise.race([
          sync.loadOlder(id).catch(() => 0),
          new Promise<number>((resolve) => setTimeout(() => resolve(-1), deadline - Date.now()).unref()),
        ]);
        if (added === 0) return answer;
        const more = added > 0 && (await sync.mayHaveOlder(id));
        answer = store.messages.list(id, query.before, query.limit, more);
        // What came in was newer than this page (a gap in the cache): look further back while there is time.
        if (answer.items.length || !more || Date.now() >= deadline) return answer;
      }
    },

    sendReply: ({ params, body }) => {
      const conv = conversationById(d, params.id);
      const tooLong = replyTooLong(conv, body.text.length);
      if (tooLong)
        throw DomainError.invalid('too_long', `${tooLong}. Nothing was sent; shorten it and send again.`);
      // A team's conversation: the reply is queued for the hub, which sends it to the provider.
      if (d.team.owns(conv.id)) return d.team.reply(conv, body.text, body.clientId);
      // A team's conversation kept after signing out: only its hub could send it.
      if (store.team.isTeamChannel(conv.channelId))
        throw DomainError.conflict(
          'team_signed_out',
          "This conversation belongs to a team's hub, and this desktop is signed out of it: sign in to reply.",
        );
      const key = body.clientId ? `client:${conv.id}:${body.clientId}` : crypto.randomUUID();
      const existing = body.clientId ? store.outbox.byKey(key) : undefined;
      if (existing?.message_id != null) return store.messages.get(existing.message_id)!;
      // Durable before we answer: message and outbox row in one transaction.
      const message = store.transaction(() => {
        const m = store.messages.insertLocalReply(
          Number(conv.id),
          conv.channelId,
          body.text,
          body.clientId ? { clientId: body.clientId } : {},
        );
        const item = store.outbox.insert({
          kind: 'reply',
          channelId: conv.channelId,
          conversationId: Number(conv.id),
          messageId: Number(m.id),
          payload: { text: body.text },
          key,
        });
        return { m: { ...m, meta: { ...(m.meta ?? {}), outboxId: String(item.id) } }, itemId: item.id };
      });
      // The 202 goes first; the pushes to open windows and the dispatcher's round follow it.
      setImmediate(() => {
        if (!store.isOpen()) return;
        events.emit('message.created', message.m);
        events.emit('conversation.updated', store.conversations.get(Number(conv.id))!);
        emitOutboxItem(d, message.itemId);
        d.kickOutbox();
      });
      return message.m;
    },
  };
};
