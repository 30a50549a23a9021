import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, DatabaseOpenError, SCHEMA_VERSION, type Store } from '../../main/db';
import { ftsQuery } from '../../main/db/searchIndex';
import { migrations } from '../../main/db/migrations';
import { tempDir } from '../helpers/tmp';
import { conv, msg, queueReply, seedChannel, seedConversation } from '../helpers/seed';

let tmp: ReturnType<typeof tempDir>;
let file: string;
let store: Store;

beforeEach(() => {
  tmp = tempDir();
  file = path.join(tmp.dir, 'inbox.db');
  store = openStore(file);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('opening and migrating', () => {
  it('creates every table, in WAL mode with foreign keys, at the current schema version', () => {
    store.close();
    const db = new Database(file);
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table') ORDER BY name")
      .pluck()
      .all();
    for (const t of [
      'channels',
      'contacts',
      'conversations',
      'messages',
      'messages_fts',
      'outbox',
      'broadcasts',
      'broadcast_recipients',
      'flows',
      'sync_state',
      'settings',
      'schema_migrations',
    ])
      expect(tables).toContain(t);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    store = openStore(file);
  });

  it('rebuilds the messages of a version 4 database keyed by conversation, keeping ids, outbox and search', () => {
    store.close();
    const old = path.join(tmp.dir, 'v4.db');
    const db = new Database(old);
    for (const m of migrations.filter((x) => x.version <= 4)) db.exec(m.up);
    db.pragma('user_version = 4');
    db.exec(`
      INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, created_at)
        VALUES ('ch1', 'chatpion', 'Shop', 'http://127.0.0.1:9', x'00', 's', '2026-01-01T00:00:00.000Z');
      INSERT INTO contacts (id, channel_id, external_id, name, handle) VALUES (1, 'ch1', 'u1', 'Ana García', 'ana');
      INSERT INTO contacts_fts (rowid, name, handle) VALUES (1, 'Ana García', 'ana');
      INSERT INTO conversations (id, channel_id, external_id, contact_id, last_activity_at)
        VALUES (1, 'ch1', 'x1', 1, '2026-01-01T10:01:00.000Z');
      INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, text, type, created_at, status)
        VALUES (7, 1, 'ch1', 'm1', 'in', 'where is my parcel', 'text', '2026-01-01T10:00:00.000Z', 'received'),
               (9, 1, 'ch1', 'm2', 'out', 'on its way', 'text', '2026-01-01T10:01:00.000Z', 'sent');
      INSERT INTO messages_fts (rowid, text, contact_name) VALUES (7, 'where is my parcel', 'Ana García'),
                                                              (9, 'on its way', 'Ana García');
      INSERT INTO outbox (kind, channel_id, conversation_id, message_id, payload, idempotency_key, status, created_at)
        VALUES ('reply', 'ch1', 1, 9, '{}', 'k1', 'sent', '2026-01-01T10:01:00.000Z');
    `);
    db.close();

    store = openStore(old);
    const check = new Database(old, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(check.prepare('SELECT id, external_id FROM messages ORDER BY id').all()).toEqual([
      { id: 7, external_id: 'm1' },
      { id: 9, external_id: 'm2' },
    ]);
    expect(check.prepare('SELECT message_id FROM outbox').pluck().all()).toEqual([9]);
    check.close();
    expect(store.searchIndex.search({ q: 'parcel', limit: 10 })!.items.map((h) => h.messageId)).toEqual([
      '7',
    ]);
    // Foreign keys are back on: removing the channel takes its messages and outbox with it.
    const again = store.ingest.applyBatch(
      'ch1',
      [],
      [msg('m1', 'x1', 'where is my parcel', '2026-01-01T10:00:00.000Z')],
      {
        live: true,
      },
    );
    expect(again.created).toEqual([]);
    expect(store.messages.updateStatusByExternal('ch1', 'm2', 'read')?.status).toBe('read');
    store.channels.delete('ch1');
    expect(store.counts().messages).toBe(0);
    expect(store.outbox.list(null)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'keeps the database, its -wal and -shm 0600 in a directory open to others, and narrows files left readable',
    () => {
      store.close();
      const open = path.join(tmp.dir, 'open');
      fs.mkdirSync(open);
      fs.chmodSync(open, 0o755);
      const fresh = path.join(open, 'inbox.db');
      const modes = () =>
        Object.fromEntries(
          ['inbox.db', 'inbox.db-wal', 'inbox.db-shm'].map((f) => [
            f,
            (fs.statSync(path.join(open, f)).mode & 0o777).toString(8),
          ]),
        );
      const private600 = { 'inbox.db': '600', 'inbox.db-wal': '600', 'inbox.db-shm': '600' };

      store = openStore(fresh);
      seedChannel(store); // a write: the -wal and -shm exist now
      expect(modes()).toEqual(private600);

      // Left readable by an earlier version (still open elsewhere, so the -wal and -shm are there too).
      const other = new Database(fresh);
      for (const f of ['inbox.db', 'inbox.db-wal', 'inbox.db-shm']) fs.chmodSync(path.join(open, f), 0o644);
      store.close();
      store = openStore(fresh);
      expect(modes()).toEqual(private600);
      other.close();
    },
  );

  it('migration 7 flags the channels an earlier demo made, never a channel of the agent named like one', () => {
    store.close();
    const old = path.join(tmp.dir, 'v6.db');
    const db = new Database(old);
    for (const m of migrations.filter((x) => x.version <= 6)) db.exec(m.up);
    db.pragma('user_version = 6');
    const insert = db.prepare(
      `INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, created_at)
       VALUES (?, ?, ?, ?, x'00', 'plain secret', '2026-01-01T00:00:00.000Z')`,
    );
    insert.run('demo', 'chatapi', 'Demo · chatapi', 'http://127.0.0.1:41234/api/v1');
    insert.run('mine', 'chatapi', 'Demo · Acme', 'https://api.chatapi.example/api/v1');
    insert.run('named', 'chatpion', 'Demo · chatpion', 'https://chatpion.example/api');
    db.close();

    store = openStore(old);
    expect(store.channels.demo().map((c) => c.id)).toEqual(['demo']);
    // The plain webhook secret is still there for the channel service to seal.
    expect(store.channels.get('mine')).toMatchObject({
      webhook_secret: 'plain secret',
      webhook_secret_sealed: null,
    });
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    store.close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = fs.readFileSync(file);
    expect(() => openStore(file)).toThrow(/newer Agent Inbox/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    store = openStore(path.join(tmp.dir, 'other.db'));
  });

  it('refuses a corrupt file and a foreign database without overwriting them', () => {
    const junk = path.join(tmp.dir, 'junk.db');
    fs.writeFileSync(junk, Buffer.alloc(8192, 7));
    const err = (() => {
      try {
        openStore(junk);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect((err as DatabaseOpenError).reason).toBe('corrupt');
    expect(fs.readFileSync(junk).equals(Buffer.alloc(8192, 7))).toBe(true);

    const foreign = path.join(tmp.dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE notes (x)');
    db.close();
    expect(() => openStore(foreign)).toThrow(/another program/);
  });
});

describe('sync writes', () => {
  it('stores a message seen twice, or out of order, exactly once and in time order', () => {
    const ch = seedChannel(store);
    const c = conv('x1', 'Ana García', '2026-01-01T10:05:00.000Z');
    const m2 = msg('m2', 'x1', 'second', '2026-01-01T10:05:00.000Z');
    const m1 = msg('m1', 'x1', 'first', '2026-01-01T10:00:00.000Z');
    const a = store.ingest.applyBatch(ch, [c], [m2], { live: true });
    const b = store.ingest.applyBatch(ch, [c], [m1, m2], { live: true });
    expect(a.created).toHaveLength(1);
    expect(b.created.map((m) => m.text)).toEqual(['first']);
    const convId = Number([...a.conversations][0]);
    const page = store.messages.list(convId, undefined, 50);
    expect(page.items.map((m) => m.text)).toEqual(['second', 'first']);
    const conversation = store.conversations.get(convId)!;
    expect(conversation.lastMessage?.text).toBe('second');
    expect(conversation.unreadCount).toBe(2);
  });

  it('takes the provider’s copy of a reply being sent as that reply, and other outgoing messages as new', () => {
    const ch = seedChannel(store);
    const c = conv('x1', 'Ana García', '2026-01-01T10:00:00.000Z');
    const convId = Number([...store.ingest.applyBatch(ch, [c], [], { live: true }).conversations][0]);
    const reply = store.messages.insertLocalReply(convId, ch, 'On its way', {});
    const sentElsewhere = msg('p0', 'x1', 'From the provider’s own UI', '2026-01-01T10:01:00.000Z', 'out');
    // Queued, not yet sending: the provider cannot have it, so an outgoing message with the same text is another one.
    const early = store.ingest.applyBatch(
      ch,
      [],
      [{ ...sentElsewhere, externalId: 'p1', text: 'On its way' }],
      { live: true },
    );
    expect(early.created).toHaveLength(1);
    store.messages.setStatus(Number(reply.id), 'sending', null);
    const echo = { ...sentElsewhere, externalId: 'p2', text: 'On its way', status: 'sent' as const };
    const r = store.ingest.applyBatch(ch, [], [sentElsewhere, echo], { live: true });
    expect(r.created.map((m) => m.text)).toEqual(['From the provider’s own UI']);
    expect(r.updated.map((m) => [m.id, m.status])).toEqual([[reply.id, 'sent']]);
    const texts = store.messages.list(convId, undefined, 50).items.map((m) => m.text);
    expect(texts.sort()).toEqual(['From the provider’s own UI', 'On its way', 'On its way']);
  });

  it('never lets a late status downgrade a message', () => {
    const ch = seedChannel(store);
    store.ingest.applyBatch(
      ch,
      [conv('x', 'A', '2026-01-01T00:00:00.000Z')],
      [{ ...msg('m', 'x', 'hi', '2026-01-01T00:00:00.000Z', 'out'), status: 'read' }],
      { live: true },
    );
    expect(store.messages.updateStatusByExternal(ch, 'm', 'delivered')).toBeNull();
  });

  it('deletes everything of a channel with it', () => {
    const ch = seedChannel(store);
    store.ingest.applyBatch(
      ch,
      [conv('x', 'A', '2026-01-01T00:00:00.000Z')],
      [msg('m', 'x', 'hello', '2026-01-01T00:00:00.000Z')],
      { live: true },
    );
    store.channels.delete(ch);
    expect(store.counts()).toEqual({ conversations: 0, messages: 0 });
    expect(store.searchIndex.search({ q: 'hello', limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});

describe("the app's own replies, read back from a provider", () => {
  const AT = '2026-01-01T10:00:00.000Z';
  let ch: string;
  let convId: number;

  beforeEach(() => {
    ch = seedChannel(store);
    convId = seedConversation(store, ch, 'x1', 'Ana');
  });

  /** A reply as the outbox delivers it: queued, then sent under the id the provider's send answered. */
  function sentReply(text: string, sendId: string) {
    const { messageId, row } = queueReply(store, ch, convId, text);
    store.outbox.markSent(row.id);
    store.messages.markSent(messageId, sendId, 'sent');
    return { id: String(messageId) };
  }
  const later = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const thread = () =>
    store.messages
      .list(convId, undefined, 50)
      .items.map((m) => [m.direction, m.text, m.status])
      .reverse();

  it('takes a reply listed under another id than its send answered for that reply, by either id after', () => {
    const reply = sentReply('On its way', 'mid_1');
    const listed = { ...msg('msg_1', 'x1', 'On its way', later(1), 'out'), status: 'delivered' as const };
    const r = store.ingest.applyBatch(ch, [], [listed], { live: true });
    expect(r.created).toEqual([]);
    expect(r.updated.map((m) => [m.id, m.status])).toEqual([[reply.id, 'delivered']]);
    // Read again, and named by the send's id (an echo, a receipt): still the one reply.
    expect(store.ingest.applyBatch(ch, [], [listed], { live: true }).created).toEqual([]);
    const echo = msg('mid_1', 'x1', 'On its way', later(1), 'out');
    expect(store.ingest.applyBatch(ch, [], [echo], { live: true }).created).toEqual([]);
    expect(store.messages.updateStatusByExternal(ch, 'mid_1', 'read')?.id).toBe(reply.id);
    expect(thread()).toEqual([['out', 'On its way', 'read']]);
    expect(store.messages.replyCarrying(convId, 'msg_1')).toBe(Number(reply.id));
    expect(store.messages.replyCarrying(convId, 'mid_1')).toBe(Number(reply.id));
  });

  it('takes a listed message with no documented direction for the reply it matches, and the rest as the customer’s', () => {
    sentReply('Your order shipped', 'p1');
    const inferred = (id: string, text: string) => ({
      ...msg(id, 'x1', text, later(2), 'in'),
      directionInferred: true,
      status: 'delivered' as const,
    });
    const r = store.ingest.applyBatch(
      ch,
      [],
      [inferred('p9', 'Your order shipped'), inferred('p10', 'Thanks! When does it arrive?')],
      { live: true },
    );
    expect(r.created.map((m) => [m.direction, m.text, m.status])).toEqual([
      ['in', 'Thanks! When does it arrive?', 'received'],
    ]);
    expect(thread()).toEqual([
      ['out', 'Your order shipped', 'delivered'],
      ['in', 'Thanks! When does it arrive?', 'received'],
    ]);
    expect(store.conversations.get(convId)!.unreadCount).toBe(1);
  });

  it('never takes a message the provider says is inbound, nor one older than the reply, nor a reply twice', () => {
    sentReply('ok', 'p1');
    const documentedIn = msg('c1', 'x1', 'ok', later(1), 'in');
    const before = { ...msg('c0', 'x1', 'ok', '2025-12-01T00:00:00.000Z', 'in'), directionInferred: true };
    const listedOwn = { ...msg('p1', 'x1', 'ok', later(1), 'in'), directionInferred: true };
    const sentElsewhere = { ...msg('p2', 'x1', 'ok', later(3), 'out') };
    const r = store.ingest.applyBatch(ch, [], [documentedIn, before, listedOwn, sentElsewhere], {
      live: true,
    });
    // p1 is the reply (its own id); the others are new messages, each once.
    expect(r.created.map((m) => [m.direction, m.text]).sort()).toEqual([
      ['in', 'ok'],
      ['in', 'ok'],
      ['out', 'ok'],
    ]);
    expect(thread()).toHaveLength(4);
  });

  it('keeps the listed id when the provider lists a reply before its send answers with another', () => {
    const { messageId, row: item } = queueReply(store, ch, convId, 'Hello');
    store.outbox.markSending(item.id);
    store.messages.setStatus(messageId, 'sending', null);
    store.ingest.applyBatch(ch, [], [msg('msg_7', 'x1', 'Hello', later(1), 'out')], { live: true });
    store.outbox.markSent(item.id);
    store.messages.markSent(messageId, 'mid_7', 'sent');
    store.ingest.applyBatch(ch, [], [msg('msg_7', 'x1', 'Hello', later(1), 'out')], { live: true });
    store.ingest.applyBatch(ch, [], [msg('mid_7', 'x1', 'Hello', later(1), 'out')], { live: true });
    expect(thread()).toEqual([['out', 'Hello', 'sent']]);
  });

  it('applies a status the provider changes, and otherwise keeps the agent’s', () => {
    const at = (status?: 'open' | 'resolved') => ({ ...conv('x1', 'Ana', AT), status });
    store.ingest.applyBatch(ch, [at('open')], [], { live: true });
    store.conversations.patch(convId, { status: 'resolved' });
    store.ingest.applyBatch(ch, [at('open')], [], { live: true });
    expect(store.conversations.get(convId)!.status).toBe('resolved'); // the provider's view did not change
    store.ingest.applyBatch(ch, [at('resolved')], [], { live: true });
    store.conversations.patch(convId, { status: 'open' });
    store.ingest.applyBatch(ch, [at('resolved'), at(undefined)], [], { live: true });
    expect(store.conversations.get(convId)!.status).toBe('open'); // reopened by the agent, not by the provider
    store.ingest.applyBatch(ch, [at('open')], [], { live: true });
    store.ingest.applyBatch(ch, [at('resolved')], [], { live: true });
    expect(store.conversations.get(convId)!.status).toBe('resolved'); // closed at the provider
  });
});

describe('reads', () => {
  it('pages the inbox newest first with a keyset cursor, with filters', () => {
    const ch = seedChannel(store);
    const convs = Array.from({ length: 25 }, (_, i) =>
      conv(`c${i}`, `Person ${i}`, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()),
    );
    const msgs = convs.map((c, i) => msg(`m${i}`, c.externalId, `text ${i}`, c.lastActivityAt));
    store.ingest.applyBatch(ch, convs, msgs, { live: true });
    const first = store.conversations.list({ limit: 10, sort: 'latest' });
    expect(first.items.map((c) => c.contact.name)[0]).toBe('Person 24');
    const second = store.conversations.list({ limit: 10, sort: 'latest', cursor: first.nextCursor! });
    const third = store.conversations.list({ limit: 10, sort: 'latest', cursor: second.nextCursor! });
    const all = [...first.items, ...second.items, ...third.items].map((c) => c.id);
    expect(new Set(all).size).toBe(25);
    expect(third.nextCursor).toBeNull();
    expect(store.conversations.list({ limit: 50, sort: 'latest', status: 'resolved' }).items).toHaveLength(0);
    expect(store.conversations.list({ limit: 50, sort: 'latest', unread: true }).items).toHaveLength(25);
    expect(store.conversations.list({ limit: 50, sort: 'waiting' }).items[0].contact.name).toBe('Person 0');
  });

  it('filters the inbox by any part of a contact’s name or handle, renamed or removed', () => {
    const ch = seedChannel(store);
    const at = '2026-01-01T00:00:00.000Z';
    const people = [conv('a', 'Jürgen Müller', at), conv('b', 'Chen Wei', at), conv('c', 'Ана Петрова', at)];
    store.ingest.applyBatch(ch, people, [], { live: true });
    const names = (q: string) =>
      store.conversations
        .list({ limit: 50, sort: 'latest', q })
        .items.map((c) => c.contact.name)
        .sort();
    expect(names('müll')).toEqual(['Jürgen Müller']);
    expect(names('MULLER')).toEqual(['Jürgen Müller']); // case and accents do not matter
    expect(names('en.w')).toEqual(['Chen Wei']); // the handle chen.wei
    expect(names('етр')).toEqual(['Ана Петрова']);
    expect(names('ch')).toEqual(['Chen Wei']); // two characters: a plain scan
    expect(names('nobody')).toEqual([]);
    for (const hostile of ['"*(NEAR', 'a" OR "b', '"""', '%_\\', 'x) OR 1=1 --'])
      expect(names(hostile)).toEqual([]);

    // Renamed at the provider: found by the new name only.
    const renamed = conv('b', 'Wei Zhang', at);
    store.ingest.applyBatch(ch, [{ ...renamed, contact: { ...renamed.contact, externalId: 'c-b' } }], [], {
      live: true,
    });
    expect(names('Zhang')).toEqual(['Wei Zhang']);
    expect(names('Chen')).toEqual([]);

    // A removed channel leaves nothing behind in the index, even when a new contact reuses the row id.
    store.channels.delete(ch);
    const ch2 = seedChannel(store, 'ch2');
    store.ingest.applyBatch(ch2, [conv('z', 'Somebody Else', at)], [], { live: true });
    expect(names('Müller')).toEqual([]);
    expect(names('Somebody')).toEqual(['Somebody Else']);
  });

  it('indexes new contacts for name search once writes pause, renamed or removed while they wait', () => {
    const ch = seedChannel(store);
    const at = '2026-01-01T00:00:00.000Z';
    /** FTS5's own check of the name index; once nothing waits, also against every contact. Returns how many wait. */
    const integrity = () => {
      const db = new Database(file);
      try {
        const waiting = db.prepare('SELECT count(*) FROM contacts_search_pending').pluck().get();
        db.prepare("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', ?)").run(
          waiting === 0 ? 1 : 0,
        );
        return waiting;
      } finally {
        db.close();
      }
    };
    store.ingest.applyBatch(ch, [conv('a', 'Olga Berg', at), conv('b', 'Ravi Iyer', at)], [], {
      live: false,
    });
    expect(integrity()).toBe(2); // stored, not yet in the name index

    // Renamed before its name was indexed: only the new name is ever indexed.
    const renamed = conv('b', 'Ravi Shankar', at);
    store.ingest.applyBatch(ch, [{ ...renamed, contact: { ...renamed.contact, externalId: 'c-b' } }], [], {
      live: false,
    });
    store.searchIndex.indexWaitingContacts();
    expect(integrity()).toBe(0);
    const names = (q: string) =>
      store.conversations.list({ limit: 50, sort: 'latest', q }).items.map((c) => c.contact.name);
    expect(names('Shankar')).toEqual(['Ravi Shankar']);
    expect(names('Iyer')).toEqual([]);
    expect(names('Berg')).toEqual(['Olga Berg']);

    // Removed while waiting: nothing to take out of the index, nothing left waiting.
    const ch2 = seedChannel(store, 'ch2');
    store.ingest.applyBatch(ch2, [conv('x', 'Pending Person', at)], [], { live: false });
    store.channels.delete(ch2);
    expect(integrity()).toBe(0);
    expect(names('Pending')).toEqual([]);

    // A search by name does not wait for the pause: it indexes what is waiting first.
    store.ingest.applyBatch(ch, [conv('c', 'Quentin Blake', at)], [], { live: false });
    expect(names('Quentin')).toEqual(['Quentin Blake']);
    expect(integrity()).toBe(0);
  });

  it('filters by a common name as it does by a rare one: newest first, page by page', () => {
    const ch = seedChannel(store);
    // 1,200 "Garcia" among 2,400 people: enough that the filter walks the inbox instead of sorting matches.
    const people = Array.from({ length: 2400 }, (_, i) =>
      conv(
        `p${i}`,
        i % 2 ? `Ana Garcia ${i}` : `Lee Park ${i}`,
        new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      ),
    );
    store.ingest.applyBatch(ch, people, [], { live: true });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 30; page++) {
      const r = store.conversations.list({ limit: 50, sort: 'latest', q: 'garc', cursor });
      seen.push(...r.items.map((c) => c.contact.name));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
    expect(seen.every((n) => n.startsWith('Ana Garcia'))).toBe(true);
    expect(seen[0]).toBe('Ana Garcia 2399');
    expect(seen.at(-1)).toBe('Ana Garcia 1');
  });

  it('searches text and contact names with safe queries and marked snippets', () => {
    const ch = seedChannel(store);
    store.ingest.applyBatch(
      ch,
      [conv('x', 'Chloé Dubois', '2026-01-01T00:00:00.000Z')],
      [msg('m', 'x', 'Where is my parcel number 123?', '2026-01-01T00:00:00.000Z')],
      { live: true },
    );
    const search = (q: string) => store.searchIndex.search({ q, limit: 10 })!.items;
    const hits = search('parc');
    expect(hits).toHaveLength(1);
    expect(hits[0].snippet).toContain('\u0002parcel\u0003');
    // Found by her name (no diacritics needed): her conversation, once, not each of its messages.
    expect(search('chloe')).toMatchObject([{ messageId: null, contactName: 'Chloé Dubois' }]);
    for (const hostile of ['"*(NEAR', 'a OR b', '"', '***', 'x" OR "1'])
      expect(() => search(hostile)).not.toThrow();
    expect(ftsQuery('  ')).toBeNull();
  });
});

describe('outbox', () => {
  it('hands out only the head of each conversation, in order', () => {
    const ch = seedChannel(store);
    const applied = store.ingest.applyBatch(
      ch,
      [conv('a', 'A', '2026-01-01T00:00:00.000Z'), conv('b', 'B', '2026-01-01T00:00:00.000Z')],
      [],
      { live: true },
    );
    const [a, b] = [...applied.conversations];
    const put = (c: number, text: string) =>
      store.outbox.insert({
        kind: 'reply',
        channelId: ch,
        conversationId: c,
        messageId: null,
        payload: { text },
        key: text,
      });
    const a1 = put(a, 'a1');
    put(a, 'a2');
    const b1 = put(b, 'b1');
    expect(store.outbox.due().map((r) => r.id)).toEqual([a1.id, b1.id]);
    store.outbox.markSending(a1.id);
    expect(store.outbox.due().map((r) => r.id)).toEqual([a1.id, b1.id]);
    store.outbox.markSent(a1.id);
    expect(store.outbox.due().map((r) => JSON.parse(r.payload).text)).toEqual(['a2', 'b1']);
  });
});
