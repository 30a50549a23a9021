// The outbox against the same text twice and after a permanent failure, at the db and dispatcher level: a
// provider message already carried by another reply is never taken (nor merged away) as this reply's, and a
// reply that failed for good holds the later items of its conversation until the agent retries or discards it.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/db';
import { sqliteOutboxStorage } from '../../main/db/outboxStorage';
import { CoreEvents } from '../../main/events';
import { Dispatcher } from '../../main/outbox/dispatcher';
import { ProviderError } from '../../main/providers/http';
import type { SentMessage } from '../../main/domain/remote';
import type { ProviderConnector } from '../../main/providers/types';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/api';
import { conv, msg, queueReply, seedChannel, seedConversation } from '../helpers/seed';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let ch: string;
let convId: number;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(path.join(tmp.dir, 'inbox.db'));
  ch = seedChannel(store);
  convId = seedConversation(store, ch);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

/** A reply as POST /messages writes it: the local message and its outbox row. */
const reply = (text: string, conversationId = convId) => queueReply(store, ch, conversationId, text);

const texts = (rows: { payload: string }[]) =>
  rows.map((r) => (JSON.parse(r.payload) as { text: string }).text);

describe('a provider message already carried by another reply', () => {
  it('is not merged away when a second reply is marked with the same id: both stay', () => {
    const first = reply('Thanks!');
    const second = reply('Thanks!');
    store.messages.markSent(first.messageId, 'p1', 'sent');
    expect(store.messages.replyCarrying(convId, 'p1')).toBe(first.messageId);
    const r = store.messages.markSent(second.messageId, 'p1', 'sent');
    expect(r?.collidedWith).toBe(first.messageId);
    expect(store.messages.get(first.messageId)).toMatchObject({ status: 'sent' });
    expect(store.messages.get(second.messageId)).toMatchObject({ status: 'sent' });
    expect(store.outbox.get(first.row.id)).toBeDefined();
  });

  it('a poll’s copy of the reply is still merged into it', () => {
    const r = reply('On its way');
    store.ingest.applyBatch(ch, [], [msg('p2', 'x1', 'On its way', '2026-01-01T10:01:00.000Z', 'out')], {
      live: true,
    });
    expect(store.messages.replyCarrying(convId, 'p2')).toBeNull();
    expect(store.messages.markSent(r.messageId, 'p2', 'sent')?.collidedWith).toBeNull();
    const texts = store.messages.list(convId, undefined, 50).items.map((m) => m.text);
    expect(texts).toEqual(['On its way']);
  });
});

describe('a reply that failed for good', () => {
  it('holds the later items of its conversation until it is retried or discarded', () => {
    const [a1, a2, a3, a4] = ['#1', '#2', '#3', '#4'].map((t) => reply(t).row);
    const other = store.ingest.applyBatch(ch, [conv('x2', 'Bo', '2026-01-01T10:00:00.000Z')], [], {
      live: true,
    });
    const b1 = reply('b#1', Number([...other.conversations][0])).row;
    store.outbox.markSent(a1.id);
    store.outbox.markFailed(a2.id, 'refused');
    expect(texts(store.outbox.due())).toEqual(['b#1']);
    expect(store.outbox.get(a3.id)?.held_by).toBe(a2.id);
    expect(store.outbox.list(null).map((r) => [texts([r])[0], r.held_by])).toEqual([
      ['#2', null],
      ['#3', a2.id],
      ['#4', a2.id],
      ['b#1', null],
    ]);
    expect(store.outbox.laterInConversation(convId, a2.id).map((r) => r.id)).toEqual([a3.id, a4.id]);

    store.outbox.requeue(a2.id);
    expect(texts(store.outbox.due())).toEqual(['#2', 'b#1']);
    expect(store.outbox.get(a3.id)?.held_by).toBeNull();

    store.outbox.markSending(a2.id);
    store.outbox.markFailed(a2.id, 'refused again');
    store.outbox.cancel(a2.id);
    expect(texts(store.outbox.due())).toEqual(['#3', 'b#1']);
    expect(store.outbox.get(b1.id)?.held_by).toBeNull();
  });

  it('a failed broadcast copy does not hold the agent’s replies', () => {
    const m = store.messages.insertLocalReply(convId, ch, 'Sale!', { broadcastId: '1' });
    const b = store.outbox.insert({
      kind: 'broadcast',
      channelId: ch,
      conversationId: convId,
      messageId: Number(m.id),
      payload: { text: 'Sale!' },
      key: 'b',
    });
    reply('after the sale');
    store.outbox.markFailed(b.id, 'refused');
    expect(texts(store.outbox.due())).toEqual(['after the sale']);
  });
});

/** A provider that keeps what it is sent; `refuse` and `flaky` decide the answers. */
function fakeProvider() {
  const held: (SentMessage & { text: string })[] = [];
  const p = {
    held,
    refuse: new Set<string>(),
    /** Texts whose next send fails transiently without arriving. */
    flaky: new Set<string>(),
    findSentCalls: 0,
  };
  const connector = {
    send: (_ref: unknown, text: string) => {
      if (p.flaky.delete(text)) return Promise.reject(new ProviderError('server', '503 unavailable', 503));
      if (p.refuse.has(text)) return Promise.reject(new ProviderError('client', '400 refused', 400));
      const m = {
        externalId: `p${held.length + 1}`,
        createdAt: new Date().toISOString(),
        status: 'sent' as const,
      };
      held.push({ ...m, text });
      return Promise.resolve(m);
    },
    findSent: (_ref: unknown, text: string) => {
      p.findSentCalls++;
      return Promise.resolve(held.filter((m) => m.text === text).map(({ text: _t, ...m }) => m));
    },
  } as unknown as ProviderConnector;
  return { p, connector };
}

function dispatcher(connector: ProviderConnector): { d: Dispatcher; events: CoreEvents } {
  const events = new CoreEvents();
  const d = new Dispatcher({
    storage: sqliteOutboxStorage(store),
    events,
    connectorFor: () => connector,
    syncPaused: () => false,
    log: () => undefined,
  });
  return { d, events };
}

describe('the dispatcher', () => {
  it('sends the same text again when its first attempt failed and the only copy is another reply’s', async () => {
    const { p, connector } = fakeProvider();
    const { d } = dispatcher(connector);
    d.start();
    try {
      const first = reply('Thanks!');
      d.kick();
      await waitFor('first sent', () => store.outbox.get(first.row.id)?.status === 'sent');
      p.flaky.add('Thanks!');
      const second = reply('Thanks!');
      d.kick();
      await waitFor('second sent', () => store.outbox.get(second.row.id)?.status === 'sent', 10_000);
      expect(p.findSentCalls).toBe(1);
      expect(p.held.map((m) => m.text)).toEqual(['Thanks!', 'Thanks!']);
      expect(store.messages.get(first.messageId)?.status).toBe('sent');
      expect(store.messages.get(second.messageId)?.status).toBe('sent');
      expect(store.messages.replyCarrying(convId, 'p1')).toBe(first.messageId);
      expect(store.messages.replyCarrying(convId, 'p2')).toBe(second.messageId);
    } finally {
      await d.stop();
    }
  });

  it('holds the replies after a refused one, tells the windows, and sends them in order once it is retried', async () => {
    const { p, connector } = fakeProvider();
    const { d, events } = dispatcher(connector);
    const seen: { id: number; heldBy: number | null }[] = [];
    events.on('outbox.item', (row) => seen.push({ id: row.id, heldBy: row.held_by }));
    p.refuse.add('#2');
    const rows = ['#1', '#2', '#3', '#4'].map((t) => reply(t).row);
    d.start();
    try {
      await waitFor('#2 failed', () => store.outbox.get(rows[1].id)?.status === 'failed');
      await new Promise((r) => setTimeout(r, 300));
      expect(p.held.map((m) => m.text)).toEqual(['#1']);
      expect(seen).toContainEqual({ id: rows[2].id, heldBy: rows[1].id });
      expect(seen).toContainEqual({ id: rows[3].id, heldBy: rows[1].id });

      p.refuse.clear();
      store.outbox.requeue(rows[1].id);
      d.kick();
      await waitFor('all sent', () => rows.every((r) => store.outbox.get(r.id)?.status === 'sent'));
      expect(p.held.map((m) => m.text)).toEqual(['#1', '#2', '#3', '#4']);
    } finally {
      await d.stop();
    }
  });
});
