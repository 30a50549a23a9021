// One handler per route of the contract. Inputs arrive validated (see server.ts); handlers map ids,
// call the services and throw ApiError for anything the agent must hear about.
import crypto from 'node:crypto';
import type { Store } from '../db';
import { toOutboxItem } from '../db/outbox';
import { announceHeld } from '../outbox/dispatcher';
import { queueStatusPush } from '../outbox/status';
import type { Handlers } from './server';
import type { BroadcastService } from '../broadcasts/service';
import type { FlowService } from '../flows/service';
import { reachesLoopback, type ChannelService } from '../channels/service';
import type { CoreEvents } from '../events';
import type * as s from '../contract/schemas';
import { ApiError } from './errors';
import { channelDiagnostics } from './diagnostics';

export interface HandlerDeps {
  store: Store;
  events: CoreEvents;
  channels: ChannelService;
  broadcasts: BroadcastService;
  flows: FlowService;
  kickOutbox: () => void;
  version: string;
  /** Things the agent must hear about from start-up (e.g. a damaged database kept aside). */
  notices: string[];
  startDemo: () => Promise<s.Channel[]>;
}

/** How long a page of messages waits for the provider when the agent scrolls past the cache. */
const HISTORY_WAIT_MS = 3_000;

/** Local ids are integers; anything else cannot exist. */
function localId(id: string, what: string): number {
  const n = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n)) throw ApiError.notFound(what, id);
  return n;
}

export function createHandlers(d: HandlerDeps): Handlers {
  const { store, events, channels } = d;

  const conversation = (id: string) => {
    const c = store.inbox.conversation(localId(id, 'conversation'));
    if (!c) throw ApiError.notFound('conversation', id);
    return c;
  };
  const outboxRow = (id: string) => {
    const r = store.outbox.get(localId(id, 'outbox item'));
    if (!r) throw ApiError.notFound('outbox item', id);
    return r;
  };
  const emitOutbox = (id: number) => {
    const row = store.outbox.get(id);
    if (row) events.emit('outbox.item', row);
  };

  const handlers = {
    health: () => ({
      status: 'ok' as const,
      version: d.version,
      channels: channels.list().map((c) => ({ id: c.id, status: c.status })),
      notices: d.notices,
    }),

    listChannels: () => ({ items: channels.list() }),
    createChannel: ({ body }: { body: s.ChannelCreate }) => channels.create(body),
    testChannel: ({ body }: { body: s.ChannelCreate }) => channels.test(body),
    patchChannel: ({ params, body }: { params: { id: string }; body: s.ChannelPatch }) =>
      channels.patch(params.id, body),
    channelDiagnostics: ({ params }: { params: { id: string } }) => {
      const row = channels.get(params.id);
      const sync = channels.syncFor(row.id);
      return channelDiagnostics({
        channel: channels.view(row),
        connector: sync?.connector ?? null,
        webhooksReachApp: reachesLoopback(row.base_url),
        pollIntervalMs: sync?.pollIntervalMs ?? null,
      });
    },
    deleteChannel: async ({ params }: { params: { id: string } }) => {
      await channels.remove(params.id);
      return null;
    },

    listConversations: ({ query }: { query: s.ConversationQuery }) => store.inbox.listConversations(query),
    getConversation: ({ params }: { params: { id: string } }) => conversation(params.id),
    patchConversation: ({ params, body }: { params: { id: string }; body: s.ConversationPatch }) => {
      const before = conversation(params.id);
      const c = store.inbox.patchConversation(Number(before.id), body)!;
      events.emit('conversation.updated', c);
      if (body.status && queueStatusPush(store, channels.connectorFor(c.channelId), c, before.status))
        d.kickOutbox();
      if (body.read === true && before.unreadCount > 0) void markReadAtProvider(d, Number(c.id));
      return c;
    },
    listMessages: async ({
      params,
      query,
    }: {
      params: { id: string };
      query: { before?: string; limit: number };
    }) => {
      const conv = conversation(params.id);
      const id = Number(conv.id);
      const page = store.inbox.listMessages(id, query.before, query.limit);
      const sync = channels.syncFor(conv.channelId);
      if (page.nextCursor !== null || !sync?.mayHaveOlder(id)) return page;
      // Opening the conversation: what the cache has, at once, and a cursor; the provider is asked only when
      // the agent pages on (the app does so by itself when the page does not fill the view).
      if (!query.before && page.items.length)
        return store.inbox.listMessages(id, undefined, query.limit, true);
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
        const more = added > 0 && sync.mayHaveOlder(id);
        answer = store.inbox.listMessages(id, query.before, query.limit, more);
        // What came in was newer than this page (a gap in the cache): look further back while there is time.
        if (answer.items.length || !more || Date.now() >= deadline) return answer;
      }
    },

    sendReply: ({ params, body }: { params: { id: string }; body: s.ReplyCreate }) => {
      const conv = conversation(params.id);
      const key = body.clientId ? `client:${conv.id}:${body.clientId}` : crypto.randomUUID();
      const existing = body.clientId ? store.outbox.byKey(key) : undefined;
      if (existing?.message_id != null) return store.inbox.message(existing.message_id)!;
      // Durable before we answer: message and outbox row in one transaction.
      const message = store.transaction(() => {
        const m = store.inbox.insertLocalReply(
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
        events.emit('conversation.updated', store.inbox.conversation(Number(conv.id))!);
        emitOutbox(message.itemId);
        d.kickOutbox();
      });
      return message.m;
    },

    listOutbox: ({ query }: { query: { status?: s.OutboxItem['status'] } }) => ({
      items: store.outbox.list(query.status ?? null).map(toOutboxItem),
    }),
    retryOutbox: ({ params }: { params: { id: string } }) => {
      const row = outboxRow(params.id);
      if (!store.outbox.requeue(row.id))
        throw new ApiError(409, 'not_failed', `Only failed items can be retried; this one is ${row.status}`);
      if (row.message_id !== null) {
        const m = store.inbox.setMessageStatus(row.message_id, 'queued', null);
        if (m) events.emit('message.updated', m);
      }
      emitOutbox(row.id);
      announceHeld(store, events, row);
      d.kickOutbox();
      return toOutboxItem(store.outbox.get(row.id)!);
    },
    editOutbox: ({ params, body }: { params: { id: string }; body: { text: string } }) => {
      const row = outboxRow(params.id);
      if (row.kind !== 'reply') throw new ApiError(409, 'not_editable', 'Only replies can be edited');
      const ok = store.transaction(() => {
        if (!store.outbox.setPayload(row.id, { text: body.text })) return false;
        if (row.message_id !== null) store.inbox.setMessageText(row.message_id, body.text);
        return true;
      });
      if (!ok)
        throw new ApiError(409, 'already_sending', `This reply is ${row.status}; it can no longer be edited`);
      if (row.message_id !== null) events.emit('message.updated', store.inbox.message(row.message_id)!);
      emitOutbox(row.id);
      return toOutboxItem(store.outbox.get(row.id)!);
    },
    cancelOutbox: ({ params }: { params: { id: string } }) => {
      const row = outboxRow(params.id);
      if (!store.outbox.cancel(row.id))
        throw new ApiError(
          409,
          'already_sending',
          `This item is ${row.status}; it can no longer be cancelled`,
        );
      if (row.message_id !== null) {
        const m = store.inbox.setMessageStatus(row.message_id, 'failed', 'cancelled by the agent');
        if (m) events.emit('message.updated', m);
      }
      emitOutbox(row.id);
      announceHeld(store, events, row);
      d.kickOutbox();
      return null;
    },

    search: ({ query }: { query: { q: string; limit: number } }) => ({
      items: store.inbox.search(query.q, query.limit),
    }),

    listBroadcasts: () => ({ items: d.broadcasts.list() }),
    createBroadcast: ({ body }: { body: s.BroadcastCreate }) => d.broadcasts.create(body),
    previewBroadcast: ({ body }: { body: { audience: s.Audience } }) => d.broadcasts.preview(body.audience),
    getBroadcast: ({ params }: { params: { id: string } }) =>
      d.broadcasts.get(String(localId(params.id, 'broadcast'))),
    cancelBroadcast: ({ params }: { params: { id: string } }) =>
      d.broadcasts.cancel(String(localId(params.id, 'broadcast'))),

    listFlows: ({ query }: { query: { channel?: string } }) => ({ items: d.flows.list(query.channel) }),
    patchFlow: ({ params, body }: { params: { id: string }; body: { active: boolean } }) =>
      d.flows.setActive(params.id, body.active),
    testFlow: ({ params, body }: { params: { id: string }; body: { input: string } }) =>
      d.flows.test(params.id, body.input),

    listTemplates: () => ({
      items: [
        ...store.templates.all().map((t) => ({
          id: `${t.channel_id}:${t.external_id}`,
          channelId: t.channel_id,
          name: t.name,
          text: t.text,
        })),
        ...store.settings
          .get()
          .snippets.map((sn, i) => ({ id: `snippet:${i}`, channelId: null, name: sn.name, text: sn.text })),
      ],
    }),

    startDemo: async () => ({ items: await d.startDemo() }),

    getSettings: () => store.settings.get(),
    patchSettings: ({ body }: { body: Partial<s.Settings> }) => store.settings.patch(body),
  };
  return handlers as unknown as Handlers;
}

async function markReadAtProvider(d: HandlerDeps, conversationId: number): Promise<void> {
  const ref = d.store.inbox.conversationRef(conversationId);
  const connector = ref && d.channels.connectorFor(ref.channelId);
  if (!ref || !connector?.markRead) return;
  await connector
    .markRead({ externalId: ref.externalId, contactExternalId: ref.contactExternalId, meta: ref.meta })
    .catch(() => undefined);
}
