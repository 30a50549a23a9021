// One customer, many channels (issue 21, item 6): contacts linked as sync stores them (real SQLite through the
// ingest path), and the customer over the local API on loopback: its conversations across channels, the note,
// merge and unmerge undone by each other, the agent's unmerge remembered, and every bad input refused in a sentence.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { openStore, type Store } from '../../main/db';
import { migrations } from '../../main/db/migrations';
import type { Conversation, Customer } from '../../main/contract/schemas';
import type { RemoteContact, RemoteConversation } from '../../main/domain/remote';
import { api, type ApiClient } from '../helpers/api';
import { msg, seedChannel } from '../helpers/seed';
import { tempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const person = (id: string, o: Partial<RemoteContact> = {}): RemoteContact => ({
  externalId: id,
  name: 'Ana García',
  handle: '',
  tags: [],
  ...o,
});

const conversation = (externalId: string, contact: RemoteContact, at: string): RemoteConversation => ({
  externalId,
  contact,
  lastActivityAt: at,
});

/** Store one conversation of this contact as sync would, with one message; its local conversation. */
function arrive(store: Store, channelId: string, c: RemoteConversation, text = `hello from ${c.externalId}`) {
  store.ingest.applyBatch(channelId, [c], [msg(`m-${c.externalId}`, c.externalId, text, c.lastActivityAt)], {
    live: true,
  });
  const id = store.conversations.idByExternal(channelId, c.externalId)!;
  return store.conversations.get(id)!;
}

describe('linking as contacts arrive', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(path.join(tmp.dir, 'inbox.db'));
    seedChannel(store, 'pion', 'chatpion');
    seedChannel(store, 'api', 'chatapi');
    seedChannel(store, 'pion2', 'chatpion');
  });
  afterEach(() => store.close());

  it('links the same email across channels, whatever its case and spacing', () => {
    const a = arrive(
      store,
      'pion',
      conversation('a', person('1', { email: 'Ana@Example.com ' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      store,
      'api',
      conversation('b', person('u9', { handle: 'ana@example.com' }), '2026-01-01T11:00:00Z'),
    );
    expect(b.customerId).toBe(a.customerId);
  });

  it('links a phone number written two ways, and never two bare ids that merely look like numbers', () => {
    const a = arrive(
      store,
      'pion',
      conversation(
        'a',
        person('1', { handle: '491701234567', platform: 'whatsapp' }),
        '2026-01-01T10:00:00Z',
      ),
    );
    const b = arrive(
      store,
      'api',
      conversation('b', person('u9', { handle: '+49 170 123 4567' }), '2026-01-01T11:00:00Z'),
    );
    expect(b.customerId).toBe(a.customerId);
    const c = arrive(
      store,
      'pion',
      conversation(
        'c',
        person('2', { handle: '1234567890123', platform: 'facebook' }),
        '2026-01-01T10:00:00Z',
      ),
    );
    const d = arrive(
      store,
      'api',
      conversation('d', person('u8', { handle: '1234567890123' }), '2026-01-01T11:00:00Z'),
    );
    expect(d.customerId).not.toBe(c.customerId);
  });

  it('links a handle on the same provider and platform only', () => {
    const a = arrive(
      store,
      'pion',
      conversation('a', person('1', { handle: 'ana.g', platform: 'instagram' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      store,
      'pion2',
      conversation('b', person('7', { handle: 'ana.g', platform: 'instagram' }), '2026-01-01T11:00:00Z'),
    );
    const c = arrive(
      store,
      'api',
      conversation('c', person('u1', { handle: 'ana.g', platform: 'instagram' }), '2026-01-01T12:00:00Z'),
    );
    expect(b.customerId).toBe(a.customerId);
    expect(c.customerId).not.toBe(a.customerId);
  });

  it('keeps contacts with nothing in common but a name apart', () => {
    const a = arrive(
      store,
      'pion',
      conversation('a', person('1', { handle: 'Ana García' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      store,
      'api',
      conversation('b', person('u1', { handle: 'Ana García' }), '2026-01-01T11:00:00Z'),
    );
    expect(b.customerId).not.toBe(a.customerId);
  });

  it('links a contact whose email the provider gives only later', () => {
    const a = arrive(
      store,
      'pion',
      conversation('a', person('1', { email: 'ana@example.com' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(store, 'api', conversation('b', person('u1'), '2026-01-01T11:00:00Z'));
    expect(b.customerId).not.toBe(a.customerId);
    const later = arrive(
      store,
      'api',
      conversation('b', person('u1', { email: 'ana@example.com' }), '2026-01-01T12:00:00Z'),
    );
    expect(later.customerId).toBe(a.customerId);
    expect(store.customers.get(Number(b.customerId))).toBeUndefined();
  });

  it('links the contacts of a database from before customers when it opens', () => {
    store.close();
    const file = path.join(tmp.dir, 'v10.db');
    const db = new Database(file);
    for (const m of migrations.filter((x) => x.version <= 10)) db.exec(m.up);
    db.pragma('user_version = 10');
    db.exec(`
      INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, status, created_at)
      VALUES ('pion', 'chatpion', 'P', 'http://127.0.0.1:9', x'00', '', 'live', '2026-01-01T00:00:00Z'),
             ('api', 'chatapi', 'A', 'http://127.0.0.1:9', x'00', '', 'live', '2026-01-01T00:00:00Z');
      INSERT INTO contacts (id, channel_id, external_id, name, handle, email)
      VALUES (1, 'pion', '1', 'Ana', '1', 'ANA@example.com'), (2, 'api', 'u1', 'Ana', 'ana@example.com', NULL),
             (3, 'api', 'u2', 'Bo', 'bo', NULL);
      INSERT INTO conversations (id, channel_id, external_id, contact_id, last_activity_at)
      VALUES (10, 'pion', 'a', 1, '2026-01-01T10:00:00Z'), (11, 'api', 'b', 2, '2026-01-01T11:00:00Z'),
             (12, 'api', 'c', 3, '2026-01-01T12:00:00Z');
    `);
    db.close();
    store = openStore(file);
    const [a, b, c] = [10, 11, 12].map((id) => store.conversations.get(id)!.customerId);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    // And the contacts after them find them.
    const d = arrive(
      store,
      'pion',
      conversation('d', person('5', { email: 'ana@example.com' }), '2026-01-02T10:00:00Z'),
    );
    expect(d.customerId).toBe(a);
  });
});

describe('the customer over the local API', () => {
  let core: Core;
  let c: ApiClient;
  beforeEach(async () => {
    core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
    c = { url: core.url, token: core.token };
    seedChannel(core.store, 'pion', 'chatpion');
    seedChannel(core.store, 'api', 'chatapi');
  });
  afterEach(() => core.close());

  const getCustomer = async (id: string) => (await api<Customer>(c, 'GET', `/api/v1/customers/${id}`)).body;
  const customerOf = async (conversationId: string) =>
    (await api<Conversation>(c, 'GET', `/api/v1/conversations/${conversationId}`)).body.customerId;

  it('lists a linked customer’s contacts and its conversations on both channels, latest first', async () => {
    const a = arrive(
      core.store,
      'pion',
      conversation('a', person('1', { email: 'ana@example.com' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      core.store,
      'api',
      conversation('b', person('u1', { email: 'ana@example.com' }), '2026-01-02T10:00:00Z'),
    );
    arrive(
      core.store,
      'api',
      conversation('other', person('u2', { name: 'Bo', handle: 'bo' }), '2026-01-03T10:00:00Z'),
    );
    const customer = await getCustomer(await customerOf(a.id));
    expect(customer.contacts.map((k) => [k.channelId, k.provider, k.placedByAgent])).toEqual([
      ['pion', 'chatpion', false],
      ['api', 'chatapi', false],
    ]);
    expect(customer.conversations.map((x) => [x.id, x.channelId])).toEqual([
      [b.id, 'api'],
      [a.id, 'pion'],
    ]);
    expect(customer.conversationCount).toBe(2);
  });

  it('merges two customers, and unmerging undoes it without losing a conversation', async () => {
    const a = arrive(
      core.store,
      'pion',
      conversation('a', person('1', { handle: 'ana.pion' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      core.store,
      'api',
      conversation('b', person('u1', { handle: 'ana.api' }), '2026-01-02T10:00:00Z'),
    );
    expect(b.customerId).not.toBe(a.customerId);
    const counts = core.store.counts();
    const updated: string[] = [];
    core.events.on('conversation.updated', (x) => updated.push(`${x.id}:${x.customerId}`));

    const merged = await api<Customer>(c, 'POST', `/api/v1/customers/${a.customerId}/merge`, {
      customerId: b.customerId,
    });
    expect(merged.status).toBe(200);
    expect(merged.body.id).toBe(a.customerId);
    expect(merged.body.conversations.map((x) => x.channelId)).toEqual(['api', 'pion']);
    expect(merged.body.contacts.every((k) => k.placedByAgent)).toBe(true);
    expect(await customerOf(b.id)).toBe(a.customerId);
    expect(updated).toEqual([`${b.id}:${a.customerId}`]);
    expect((await api(c, 'GET', `/api/v1/customers/${b.customerId}`)).status).toBe(404);

    const moved = merged.body.contacts.find((k) => k.channelId === 'api')!;
    const apart = await api<Customer>(c, 'POST', `/api/v1/customers/${a.customerId}/unmerge`, {
      contactIds: [moved.id],
    });
    expect(apart.status).toBe(200);
    expect(apart.body.id).not.toBe(a.customerId);
    expect(apart.body.conversations.map((x) => x.id)).toEqual([b.id]);
    expect((await getCustomer(a.customerId)).conversations.map((x) => x.id)).toEqual([a.id]);
    expect(await customerOf(b.id)).toBe(apart.body.id);
    expect(core.store.counts()).toEqual(counts);
  });

  it('remembers an unmerge: linking never puts the contacts back together, a merge does', async () => {
    const a = arrive(
      core.store,
      'pion',
      conversation('a', person('1', { email: 'ana@example.com' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      core.store,
      'api',
      conversation('b', person('u1', { email: 'ana@example.com' }), '2026-01-02T10:00:00Z'),
    );
    expect(b.customerId).toBe(a.customerId);
    const contact = (await getCustomer(a.customerId)).contacts.find((k) => k.channelId === 'api')!;
    const apart = (
      await api<Customer>(c, 'POST', `/api/v1/customers/${a.customerId}/unmerge`, {
        contactIds: [contact.id],
      })
    ).body;

    // The provider describes both contacts anew (keys recomputed), and a third contact shares their email.
    arrive(
      core.store,
      'api',
      conversation(
        'b',
        person('u1', { name: 'Ana G.', handle: 'ana.g', email: 'ana@example.com' }),
        '2026-01-03T10:00:00Z',
      ),
    );
    arrive(
      core.store,
      'pion',
      conversation('a', person('1', { name: 'Ana G.', email: 'ana@example.com' }), '2026-01-03T11:00:00Z'),
    );
    const third = arrive(
      core.store,
      'api',
      conversation('c', person('u3', { email: 'ANA@example.com' }), '2026-01-04T10:00:00Z'),
    );
    expect(await customerOf(a.id)).toBe(a.customerId);
    expect(await customerOf(b.id)).toBe(apart.id);
    expect([a.customerId, apart.id]).toContain(third.customerId);
    expect((await getCustomer(a.customerId)).contacts.map((k) => k.id)).not.toContain(contact.id);

    const again = await api<Customer>(c, 'POST', `/api/v1/customers/${a.customerId}/merge`, {
      customerId: apart.id,
    });
    expect(again.body.contacts.map((k) => k.id)).toContain(contact.id);
  });

  it('keeps a note per customer, locally, and adds the merged customer’s to it', async () => {
    const a = arrive(
      core.store,
      'pion',
      conversation('a', person('1', { handle: 'ana.pion' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      core.store,
      'api',
      conversation('b', person('u1', { handle: 'ana.api' }), '2026-01-02T10:00:00Z'),
    );
    const noted = await api<Customer>(c, 'PATCH', `/api/v1/customers/${a.customerId}`, {
      note: 'Prefers email. VIP since 2024.',
    });
    expect(noted.status).toBe(200);
    expect(noted.body.note).toBe('Prefers email. VIP since 2024.');
    await api(c, 'PATCH', `/api/v1/customers/${b.customerId}`, { note: 'Asked about the gold package.' });
    expect((await api<{ items: unknown[] }>(c, 'GET', '/api/v1/outbox')).body.items).toEqual([]);
    const merged = await api<Customer>(c, 'POST', `/api/v1/customers/${a.customerId}/merge`, {
      customerId: b.customerId,
    });
    expect(merged.body.note).toBe('Prefers email. VIP since 2024.\n\nAsked about the gold package.');
    await core.close();
    core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
    c = { url: core.url, token: core.token };
    expect((await getCustomer(a.customerId)).note).toBe(merged.body.note);
  });

  it('refuses every bad input with a sentence and changes nothing', async () => {
    const a = arrive(
      core.store,
      'pion',
      conversation('a', person('1', { handle: 'ana.pion' }), '2026-01-01T10:00:00Z'),
    );
    const b = arrive(
      core.store,
      'api',
      conversation('b', person('u1', { handle: 'ana.api' }), '2026-01-02T10:00:00Z'),
    );
    const [ka] = (await getCustomer(a.customerId)).contacts;
    const [kb] = (await getCustomer(b.customerId)).contacts;
    const cases: [string, string, unknown, number, string][] = [
      ['GET', '/api/v1/customers/abc', undefined, 404, 'not_found'],
      ['GET', '/api/v1/customers/999999', undefined, 404, 'not_found'],
      ['PATCH', '/api/v1/customers/999999', { note: 'x' }, 404, 'not_found'],
      ['PATCH', `/api/v1/customers/${a.customerId}`, { note: 'x'.repeat(10_001) }, 400, 'invalid_input'],
      ['PATCH', `/api/v1/customers/${a.customerId}`, { note: 5 }, 400, 'invalid_input'],
      ['PATCH', `/api/v1/customers/${a.customerId}`, { note: 'x', name: 'y' }, 400, 'invalid_input'],
      ['POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: a.customerId }, 422, 'same_customer'],
      ['POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: '999999' }, 422, 'unknown_customer'],
      [
        'POST',
        `/api/v1/customers/${a.customerId}/merge`,
        { customerId: Number(b.customerId) },
        400,
        'invalid_input',
      ],
      ['POST', `/api/v1/customers/${a.customerId}/merge`, {}, 400, 'invalid_input'],
      ['POST', `/api/v1/customers/999999/merge`, { customerId: b.customerId }, 404, 'not_found'],
      ['POST', `/api/v1/customers/${a.customerId}/unmerge`, { contactIds: [kb.id] }, 422, 'not_its_contact'],
      ['POST', `/api/v1/customers/${a.customerId}/unmerge`, { contactIds: [ka.id] }, 422, 'every_contact'],
      ['POST', `/api/v1/customers/${a.customerId}/unmerge`, { contactIds: [] }, 400, 'invalid_input'],
      ['POST', `/api/v1/customers/${a.customerId}/unmerge`, { contactIds: 'all' }, 400, 'invalid_input'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const r = await api<{ error: { code: string; message: string } }>(c, method, url, body);
      expect([method, url, r.status, r.body.error.code]).toEqual([method, url, status, code]);
      // A sentence for the agent: words, not a request line or a stack.
      expect(r.body.error.message).toMatch(/^[A-Z][^\n]{10,}$/);
      expect(r.body.error.message).not.toMatch(/^(GET|POST|PATCH) \//);
    }
    expect(await customerOf(a.id)).toBe(a.customerId);
    expect(await customerOf(b.id)).toBe(b.customerId);
    expect((await getCustomer(a.customerId)).note).toBe('');
  });
});
