// Triage through the local API over real HTTP: the inbox filtered by tag and by open work, bulk changes that
// answer per id (an unknown id fails alone), a bulk resolve reaching Assistify through the outbox, and saved
// views that survive a restart of the core. Plus migration 013 indexing the tags a database already holds.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { BulkResult, Conversation, OutboxItem, SavedView } from '../../main/contract/schemas';
import { openStore } from '../../main/db';
import { migrations } from '../../main/db/migrations';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator, type AssistifySimulator } from '../../main/providers/assistify/simulator';
import { addAllChannels, api, conversationWith, waitFor } from '../helpers/api';
import { conv, seedChannel } from '../helpers/seed';
import { tempDir } from '../helpers/tmp';

const names = ['Ana', 'Bruno', 'Chen', 'Dara', 'Emil'];

describe('triage over the API', () => {
  let tmp: ReturnType<typeof tempDir>;
  let core: Core;
  const ids: Record<string, string> = {};

  const list = async (query: string) =>
    (await api<{ items: Conversation[] }>(core, 'GET', `/api/v1/conversations?limit=50${query}`)).body.items
      .map((c) => c.contact.name)
      .sort();
  const patch = (name: string, body: unknown) =>
    api<Conversation>(core, 'PATCH', `/api/v1/conversations/${ids[name]}`, body);
  const bulk = (body: unknown) => api<BulkResult>(core, 'POST', '/api/v1/conversations/bulk', body);

  beforeAll(async () => {
    tmp = tempDir();
    core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
    const ch = seedChannel(core.store);
    const applied = core.store.ingest.applyBatch(
      ch,
      names.map((n, i) => conv(`x${i}`, n, `2026-01-01T10:0${i}:00.000Z`)),
      [],
      { live: true },
    );
    [...applied.conversations].forEach((id, i) => (ids[names[i]] = String(id)));
  });
  afterAll(async () => {
    await core?.close();
    tmp.cleanup();
  });

  it('filters by tag and lists the tags in use', async () => {
    await patch('Ana', { tags: ['vip', 'refund'] });
    await patch('Chen', { tags: ['vip'] });
    expect(await list('&tag=vip')).toEqual(['Ana', 'Chen']);
    expect(await list('&tag=refund')).toEqual(['Ana']);
    expect(await list('&tag=nobody')).toEqual([]);
    const tags = await api<{ items: unknown[] }>(core, 'GET', '/api/v1/tags');
    expect(tags.body.items).toEqual([
      { tag: 'refund', conversations: 1 },
      { tag: 'vip', conversations: 2 },
    ]);

    await patch('Ana', { tags: ['refund'] });
    expect(await list('&tag=vip')).toEqual(['Chen']);
    const bad = await api<{ error: { message: string } }>(
      core,
      'GET',
      `/api/v1/conversations?tag=${'x'.repeat(61)}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/tag/);
  });

  it('lists open work: open, pending and snoozed past its time, never resolved or still snoozed', async () => {
    await patch('Bruno', { status: 'resolved' });
    await patch('Chen', { status: 'pending' });
    await patch('Dara', { status: 'snoozed', snoozedUntil: '2020-01-01T00:00:00.000Z' });
    await patch('Emil', { status: 'snoozed', snoozedUntil: '2999-01-01T00:00:00.000Z' });
    expect(await list('&status=active')).toEqual(['Ana', 'Chen', 'Dara']);
    expect(await list('&status=active&tag=vip')).toEqual(['Chen']);
    expect(await list('&status=active&sort=waiting')).toEqual([]);
    // No status: every conversation, as before.
    expect(await list('')).toEqual(names);
  });

  it('changes many conversations in one call, each id answering for itself', async () => {
    const r = await bulk({
      ids: [ids.Ana, 'nope', ids.Chen, '999999', ids.Ana],
      action: { type: 'resolve' },
    });
    expect(r.status).toBe(200);
    expect(r.body.succeeded).toBe(2);
    expect(r.body.failed).toBe(2);
    expect(r.body.items.map((i) => [i.id, i.ok])).toEqual([
      [ids.Ana, true],
      ['nope', false],
      [ids.Chen, true],
      ['999999', false],
    ]);
    const failed = r.body.items.find((i) => !i.ok);
    expect(failed).toMatchObject({ error: "No conversation with id 'nope'" });
    expect(await list('&status=resolved')).toEqual(['Ana', 'Bruno', 'Chen']);

    const tagged = await bulk({ ids: [ids.Ana, ids.Bruno], action: { type: 'addTag', tag: 'billing' } });
    expect(tagged.body.succeeded).toBe(2);
    expect(await list('&tag=billing')).toEqual(['Ana', 'Bruno']);
    await bulk({ ids: [ids.Ana], action: { type: 'removeTag', tag: 'billing' } });
    expect(await list('&tag=billing')).toEqual(['Bruno']);
    expect((await patch('Ana', {})).body.tags).toEqual(['refund']);

    const until = '2999-06-01T09:00:00.000Z';
    await bulk({ ids: [ids.Ana, ids.Bruno], action: { type: 'snooze', until } });
    expect(await list('&status=snoozed')).toEqual(['Ana', 'Bruno', 'Dara', 'Emil']);
    await bulk({ ids: [ids.Ana, ids.Bruno, ids.Emil], action: { type: 'reopen' } });
    const reopened = (await patch('Emil', {})).body;
    expect(reopened).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(await list('&status=active')).toEqual(['Ana', 'Bruno', 'Dara', 'Emil']);
  });

  it('refuses a malformed bulk request with a sentence and changes nothing', async () => {
    for (const body of [
      { ids: [], action: { type: 'resolve' } },
      { ids: [ids.Ana], action: { type: 'assign' } },
      { ids: [ids.Ana], action: { type: 'snooze' } },
      { ids: [ids.Ana], action: { type: 'addTag', tag: '  ' } },
    ]) {
      const r = await api<{ error: { code: string; message: string } }>(
        core,
        'POST',
        '/api/v1/conversations/bulk',
        body,
      );
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(/^Invalid body: /);
    }
    expect((await patch('Ana', {})).body.status).toBe('open');
  });

  it('saves, renames and deletes views, which survive a restart', async () => {
    const make = (body: unknown) =>
      api<SavedView & { error?: { code: string } }>(core, 'POST', '/api/v1/views', body);
    const vip = await make({ name: 'VIP work', filters: { status: 'active', tag: 'vip' } });
    expect(vip.status).toBe(201);
    expect(vip.body).toMatchObject({ name: 'VIP work', filters: { status: 'active', tag: 'vip' } });
    const waiting = await make({ name: 'Longest waiting', filters: { sort: 'waiting', unread: true } });
    expect(waiting.status).toBe(201);

    const taken = await make({ name: 'vip WORK', filters: {} });
    expect(taken.status).toBe(409);
    expect(taken.body.error?.code).toBe('view_name_taken');
    expect((await make({ name: 'x', filters: { status: 'closed' } })).status).toBe(400);

    const renamed = await api<SavedView>(core, 'PATCH', `/api/v1/views/${vip.body.id}`, { name: 'VIPs' });
    expect(renamed.body).toMatchObject({ id: vip.body.id, name: 'VIPs', filters: { tag: 'vip' } });
    const clash = await api(core, 'PATCH', `/api/v1/views/${vip.body.id}`, { name: 'longest WAITING' });
    expect(clash.status).toBe(409);
    expect((await api(core, 'DELETE', `/api/v1/views/${waiting.body.id}`)).status).toBe(204);
    expect((await api(core, 'DELETE', `/api/v1/views/${waiting.body.id}`)).status).toBe(404);
    expect((await api(core, 'PATCH', '/api/v1/views/abc', { name: 'y' })).status).toBe(404);

    await core.close();
    core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
    const views = await api<{ items: SavedView[] }>(core, 'GET', '/api/v1/views');
    expect(views.body.items).toEqual([
      { id: vip.body.id, name: 'VIPs', filters: { status: 'active', tag: 'vip' } },
    ]);
    expect(await list('&tag=vip')).toEqual(['Chen']);
  });
});

describe('bulk resolve of Assistify conversations', () => {
  let tmp: ReturnType<typeof tempDir>;
  let kit: SimKit;
  let core: Core;

  beforeAll(async () => {
    tmp = tempDir();
    kit = new SimKit(createSimulator({ seed: 62 }));
    await kit.listen();
    core = await createCore({ dataDir: path.join(tmp.dir, 'core'), log: () => undefined });
  }, 30_000);
  afterAll(async () => {
    await core?.close();
    await kit?.close();
    tmp.cleanup();
  });

  it('closes each at Assistify through the outbox, as single changes do', async () => {
    const channelId = (
      await addAllChannels(core, [
        { provider: 'assistify', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).assistify;
    const texts = [`close me ${Date.now()}`, `and me ${Date.now()}`];
    const remoteIds = texts.map((text) => Number(kit.sim.inbound({ text }).conversationId));
    const local = await Promise.all(
      texts.map((t) => waitFor('the conversation', () => conversationWith(core, t, channelId), 20_000)),
    );
    const r = await api<BulkResult>(core, 'POST', '/api/v1/conversations/bulk', {
      ids: [...local.map((c) => c.id), '424242'],
      action: { type: 'resolve' },
    });
    expect([r.body.succeeded, r.body.failed]).toEqual([2, 1]);

    const world = (kit.sim as AssistifySimulator).world;
    await waitFor(
      'both closed at Assistify',
      () => remoteIds.every((id) => world.conversations.get(id)?.status === 'closed'),
      15_000,
    );
    const sent = (await api<{ items: OutboxItem[] }>(core, 'GET', '/api/v1/outbox?status=sent')).body.items;
    const pushes = sent.filter((i) => i.kind === 'status').map((i) => i.conversationId);
    expect(pushes.sort()).toEqual(local.map((c) => c.id).sort());
  }, 40_000);
});

describe('migration 013', () => {
  it('indexes the tags conversations already carry', () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'v10.db');
    const db = new Database(file);
    for (const m of migrations.filter((x) => x.version <= 10)) db.exec(m.up);
    db.pragma('user_version = 10');
    db.exec(`
      INSERT INTO channels (id, provider, name, base_url, credentials, webhook_secret, created_at)
        VALUES ('ch1', 'chatpion', 'Shop', 'http://127.0.0.1:9', x'00', 's', '2026-01-01T00:00:00.000Z');
      INSERT INTO contacts (id, channel_id, external_id, name, handle) VALUES (1, 'ch1', 'u1', 'Ana', 'ana');
      INSERT INTO conversations (id, channel_id, external_id, contact_id, last_activity_at, tags) VALUES
        (1, 'ch1', 'x1', 1, '2026-01-01T10:00:00.000Z', '["vip","vip","refund"]'),
        (2, 'ch1', 'x2', 1, '2026-01-01T11:00:00.000Z', '[]'),
        (3, 'ch1', 'x3', 1, '2026-01-01T12:00:00.000Z', 'not json');
    `);
    db.close();
    const store = openStore(file);
    try {
      expect(store.conversations.tagsInUse()).toEqual([
        { tag: 'refund', conversations: 1 },
        { tag: 'vip', conversations: 1 },
      ]);
      const page = store.conversations.list({ tag: 'vip', sort: 'latest', limit: 10 });
      expect(page.items.map((c) => c.id)).toEqual(['1']);
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});
