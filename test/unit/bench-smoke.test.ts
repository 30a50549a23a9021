// The benchmark's data generator at a tiny scale: same seed → the same rows; the rows look like a real inbox.
// No timing here (that is `npm run bench`).
import crypto from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ANCHOR_MS, conversationSizes, generate, LONG_THREAD } from '../bench/generate';
import { PROVIDERS } from '../../main/domain/entities';
import { openStore } from '../../main/db';
import { rng } from '../../main/providers/simkit/world';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir('bench-smoke-');
afterAll(() => tmp.cleanup());

const MESSAGES = 3000;
const CONVERSATIONS = 300;
const LONG = 400;

function build(name: string, seed: number): string {
  const file = path.join(tmp.dir, `${name}.db`);
  const r = generate({
    file,
    seed,
    messages: MESSAGES,
    conversations: CONVERSATIONS,
    batchConversations: 70,
    longThread: LONG,
  });
  expect(r).toMatchObject({ messages: MESSAGES, conversations: CONVERSATIONS });
  return file;
}

/** A digest of everything the generator decides (channels' created_at is the clock's, so it is left out). */
function digest(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const h = crypto.createHash('sha256');
    h.update(
      JSON.stringify(
        db.prepare('SELECT id, provider, name, base_url, paused, status FROM channels ORDER BY id').all(),
      ),
    );
    for (const table of ['contacts', 'conversations', 'messages'])
      h.update(JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw().all()));
    return h.digest('hex');
  } finally {
    db.close();
  }
}

describe('benchmark data generator', () => {
  const a = build('a', 7);
  const b = build('b', 7);
  const c = build('c', 8);

  it('is deterministic from its seed', () => {
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });

  it('splits messages over conversations exactly, with a long tail', () => {
    const sizes = conversationSizes(rng(1), 1000, 10_000);
    expect(sizes.reduce((x, y) => x + y, 0)).toBe(10_000);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeGreaterThan(40);
  });

  it('writes a well-formed inbox across the five providers', () => {
    const db = new Database(a, { readonly: true });
    try {
      const q = <T>(sql: string) => db.prepare(sql).all() as T[];
      const one = <T>(sql: string) => db.prepare(sql).get() as T;
      expect(one<{ n: number }>('SELECT count(*) AS n FROM messages').n).toBe(MESSAGES);
      expect(one<{ n: number }>('SELECT count(*) AS n FROM conversations').n).toBe(CONVERSATIONS);
      expect(one<{ n: number }>('SELECT count(*) AS n FROM messages_fts').n).toBe(MESSAGES);

      // One paused channel per provider, each with conversations.
      const channels = q<{ provider: string; paused: number; n: number }>(
        'SELECT ch.provider, ch.paused, count(v.id) AS n FROM channels ch LEFT JOIN conversations v ON v.channel_id = ch.id GROUP BY ch.id',
      );
      expect(channels.map((x) => x.provider).sort()).toEqual([...PROVIDERS].sort());
      for (const ch of channels) {
        expect(ch.paused).toBe(1);
        expect(ch.n).toBeGreaterThan(0);
      }

      // Every conversation: at least one message, and its last message / activity are its newest message.
      const broken = q(
        `SELECT v.id FROM conversations v
         WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id)
            OR v.last_message_id != (SELECT m.id FROM messages m WHERE m.conversation_id = v.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
            OR v.last_activity_at != (SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = v.id)`,
      );
      expect(broken).toEqual([]);

      // All four statuses; nothing resolved is unread; unread only where the customer wrote last.
      const statuses = q<{ status: string }>('SELECT DISTINCT status FROM conversations').map(
        (x) => x.status,
      );
      expect(statuses.sort()).toEqual(['open', 'pending', 'resolved', 'snoozed']);
      expect(
        one<{ n: number }>(
          "SELECT count(*) AS n FROM conversations WHERE status = 'resolved' AND unread_count > 0",
        ).n,
      ).toBe(0);
      expect(
        one<{ n: number }>('SELECT count(*) AS n FROM conversations WHERE unread_count > 0').n,
      ).toBeGreaterThan(0);
      expect(
        one<{ n: number }>(
          "SELECT count(*) AS n FROM conversations v JOIN messages m ON m.id = v.last_message_id WHERE v.unread_count > 0 AND m.direction != 'in'",
        ).n,
      ).toBe(0);
      expect(
        one<{ n: number }>(
          "SELECT count(*) AS n FROM conversations WHERE status = 'snoozed' AND snoozed_until IS NULL",
        ).n,
      ).toBe(0);

      // Messages: valid fields, timestamps spread over months before the anchor, several scripts, varied lengths.
      const m = one<{ min: string; max: string; short: number; long: number; dirs: number; bad: number }>(
        `SELECT min(created_at) AS min, max(created_at) AS max,
                sum(length(text) < 40) AS short, sum(length(text) > 300) AS long,
                count(DISTINCT direction) AS dirs,
                sum(status NOT IN ('received', 'sent', 'delivered', 'read', 'failed') OR type NOT IN ('text', 'image', 'file')
                    OR (direction = 'in') != (status = 'received') OR text = '') AS bad
         FROM messages`,
      );
      expect(m.bad).toBe(0);
      expect(m.dirs).toBe(2);
      expect(m.short).toBeGreaterThan(MESSAGES / 10);
      expect(m.long).toBeGreaterThan(MESSAGES / 100);
      expect(Date.parse(m.max)).toBeLessThanOrEqual(ANCHOR_MS);
      expect(ANCHOR_MS - Date.parse(m.min)).toBeGreaterThan(60 * 24 * 3600_000);
      const texts = q<{ text: string }>('SELECT text FROM messages').map((x) => x.text);
      for (const script of [/[А-Яа-я]/, /[\u3040-\u30ff\u4e00-\u9fff]/, /[ñáéíóúãçü]/])
        expect(texts.some((t) => script.test(t))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('is searchable and listable through the Store like synced data', () => {
    const store = openStore(a);
    try {
      expect(store.searchIndex.search({ q: 'order', limit: 50 })!.items.length).toBe(50);
      const page = store.conversations.list({ sort: 'latest', limit: 50 });
      expect(page.items).toHaveLength(50);
      expect(page.nextCursor).not.toBeNull();
      const times = page.items.map((x) => x.lastActivityAt);
      expect([...times].sort().reverse()).toEqual(times);
      const first = page.items[0];
      expect(store.messages.list(Number(first.id), undefined, 50).items[0].id).toBe(first.lastMessage!.id);
      // The long thread is the newest conversation, open, with all its messages.
      expect(first).toMatchObject({ status: 'open', contact: { handle: LONG_THREAD.handle } });
      let cursor: string | undefined;
      let count = 0;
      do {
        const p = store.messages.list(Number(first.id), cursor, 100);
        count += p.items.length;
        cursor = p.nextCursor ?? undefined;
      } while (cursor);
      expect(count).toBe(LONG);
    } finally {
      store.close();
    }
  });

  it('finds an agent reply at once although its indexing is deferred (migration 002)', () => {
    const store = openStore(c);
    try {
      const conv = store.conversations.list({ sort: 'latest', limit: 1 }).items[0];
      const m = store.messages.insertLocalReply(
        Number(conv.id),
        conv.channelId,
        'Your zanzibarite parcel left today',
        {},
      );
      expect(
        store.searchIndex.search({ q: 'zanzibarite', limit: 10 })!.items.map((h) => h.messageId),
      ).toEqual([m.id]);
      expect(store.conversations.get(Number(conv.id))!.lastMessage!.id).toBe(m.id);
    } finally {
      store.close();
    }
    const db = new Database(c, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM fts_pending').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
