// The sync writer (main/db/syncWriter.ts): provider batches stored on a thread of its own, against a real
// SQLite file, while the app's connection goes on reading and writing.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/db';
import type { SyncWrite } from '../../main/domain/storage';
import { tempDir } from '../helpers/tmp';
import { conv, msg, seedChannel } from '../helpers/seed';

let tmp: ReturnType<typeof tempDir>;
let store: Store;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(path.join(tmp.dir, 'inbox.db'));
  seedChannel(store, 'ch1');
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

/** A batch of one conversation with `n` messages, and the backfill cursor after it. */
function batch(key: string, n: number, channelId = 'ch1'): SyncWrite {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return {
    channelId,
    conversations: [conv(key, `Customer ${key}`, at(n))],
    messages: Array.from({ length: n }, (_, i) => msg(`${key}-m${i}`, key, `message ${i} of ${key}`, at(i))),
    live: false,
    cursors: [{ stream: 'backfill', at: { cursor: `after ${key}`, done: false } }],
  };
}

/** Writes batches until the writer's thread has taken over (it opens the database in the background). */
async function untilOnThread(s: Store): Promise<void> {
  const until = Date.now() + 15_000;
  for (let i = 0; !s.syncWriter.onThread; i++) {
    if (Date.now() > until) throw new Error('the writer thread did not start within 15 s');
    await s.syncWriter.write(batch(`warm${i}`, 1));
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sync writer', () => {
  it('stores a batch and its cursor on its own thread, visible to the app at once', async () => {
    await untilOnThread(store);
    const applied = await store.syncWriter.write(batch('a', 30));
    expect(store.syncWriter.onThread).toBe(true);
    expect(applied.created).toHaveLength(30);
    expect(applied.created[0]).toMatchObject({ direction: 'in', text: 'message 0 of a' });
    // The conversation as stored, read back by the writer for the open windows.
    const [conversation] = applied.conversations;
    expect(conversation).toMatchObject({ contact: { name: 'Customer a' } });
    const id = Number(conversation.id);
    expect(store.conversations.get(id)).toEqual(conversation);
    expect(store.syncState.get('ch1', 'backfill')).toEqual({ cursor: 'after a', done: false });
    expect(store.searchIndex.search({ q: 'message', limit: 100 })!.items.length).toBeGreaterThan(0);

    // The same batch again: nothing new, nothing doubled.
    const again = await store.syncWriter.write(batch('a', 30));
    expect(again.created).toHaveLength(0);
    expect(store.messages.list(id, undefined, 100).items).toHaveLength(30);
  });

  it('rejects a batch it cannot store, with the reason, and stores the batches queued with it', async () => {
    await untilOnThread(store);
    // Sent together, the three share one transaction on the thread; the bad one must not sink the others.
    const results = await Promise.allSettled([
      store.syncWriter.write(batch('b', 5)),
      store.syncWriter.write(batch('c', 5, 'no-such-channel')),
      store.syncWriter.write(batch('d', 5)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(store.syncState.get('no-such-channel', 'backfill')).toEqual({ cursor: null, done: false });
    for (const r of [results[0], results[2]])
      expect((r as PromiseFulfilledResult<{ created: unknown[] }>).value.created).toHaveLength(5);
  });

  it("lets the app's own transactions run while it writes (no busy or stale-snapshot errors)", async () => {
    await untilOnThread(store);
    const writes = Array.from({ length: 40 }, (_, i) => store.syncWriter.write(batch(`w${i}`, 50)));
    let done = false;
    void Promise.all(writes).finally(() => (done = true));
    let rounds = 0;
    // Read, then write, in one transaction, over and over while the thread commits batches.
    while (!done) {
      store.transaction(() => {
        const n = Number(store.syncState.get('ch1', 'rounds').cursor ?? 0);
        store.syncState.set('ch1', 'rounds', { cursor: String(n + 1), done: false });
      });
      rounds++;
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    expect(Number(store.syncState.get('ch1', 'rounds').cursor)).toBe(rounds);
    expect(store.counts().messages).toBeGreaterThanOrEqual(40 * 50);
  });

  it('writes on the app thread when the database is in memory', async () => {
    const mem = openStore(':memory:');
    try {
      seedChannel(mem, 'ch1');
      const applied = await mem.syncWriter.write(batch('m', 3));
      expect(mem.syncWriter.onThread).toBe(false);
      expect(applied.created).toHaveLength(3);
      expect(mem.syncState.get('ch1', 'backfill').cursor).toBe('after m');
    } finally {
      mem.close();
    }
  });

  it('refuses batches once the store is closed', async () => {
    store.close();
    await expect(store.syncWriter.write(batch('z', 1))).rejects.toThrow(/closed/);
  });
});

describe('sync writer, when its thread dies', () => {
  it('writes the batches the thread had not answered here, each exactly once', async () => {
    await untilOnThread(store);
    const pending = Array.from({ length: 10 }, (_, i) => store.syncWriter.write(batch(`x${i}`, 20)));
    // What a crash of the thread looks like from here (the handle is private: no public way to kill it).
    await (store.syncWriter as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const applied = await Promise.all(pending);
    expect(store.syncWriter.onThread).toBe(false);
    const ids = applied.flatMap((a) => a.conversations.map((c) => Number(c.id)));
    expect(new Set(ids).size).toBe(10);
    for (const id of ids) expect(store.messages.list(id, undefined, 100).items).toHaveLength(20);
    // And it goes on, on this thread.
    expect((await store.syncWriter.write(batch('y', 2))).created).toHaveLength(2);
  });
});
