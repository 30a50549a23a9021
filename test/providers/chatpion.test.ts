// ChatPion: the simulator against providers/chatpion.md, and the connector against the simulator (default and
// strict mode, both list orders) and against a small independent server that reads the document differently.
// About 15 s: most of it is waiting on purpose (Retry-After, a scheduled broadcast), once per mode.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { SimKit, sleep } from '../../main/providers/simkit';
import { createSimulator, type ChatPionSim } from '../../main/providers/chatpion/simulator';
import { createConnector, PollBudget } from '../../main/providers/chatpion/connector';
import { OwnMessages } from '../../main/providers/chatpion/own';
import { ProviderError } from '../../main/providers/http';
import type { ConversationRef, RemoteMessage, SyncBatch } from '../../main/domain/remote';
import type { ProviderConnector } from '../../main/providers/types';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- loose reads of answers under test

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const SECRET = 'hook-secret';

let kit: SimKit;
let sim: ChatPionSim;
let apiKey: string;
const open: ProviderConnector[] = [];

function connect(
  k: SimKit = kit,
  credentials: { apiKey: string } = { apiKey },
  webhookUrl: string | null = 'http://127.0.0.1:9/hook',
): ProviderConnector {
  const c = createConnector({ baseUrl: k.baseUrl, credentials, webhookUrl, webhookSecret: SECRET });
  open.push(c);
  return c;
}

async function call(
  method: string,
  path: string,
  o: { key?: string | null; body?: unknown; raw?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (o.key !== null) headers['X-API-Key'] = o.key ?? apiKey;
  if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(kit.baseUrl + path, {
    method,
    headers,
    body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
}

const expectError = (r: { status: number; body: Json }, status: number) => {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ status: 'error', message: expect.any(String), code: status });
};

async function fullBackfill(c: ProviderConnector) {
  const batches: SyncBatch[] = [];
  let cursor: string | null = null;
  do {
    const b = await c.backfill(cursor);
    batches.push(b);
    cursor = b.cursor;
    if (b.done) break;
  } while (batches.length < 100);
  return {
    batches,
    conversations: batches.flatMap((b) => b.conversations),
    messages: batches.flatMap((b) => b.messages),
  };
}

const ref = (conversationId: string): ConversationRef => ({
  externalId: conversationId,
  contactExternalId: conversationId,
  meta: {},
});

async function until<T>(fn: () => T | undefined | null | false, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** A small HTTP server for tests: a webhook receiver, or an independent ChatPion implementation. */
async function serve(handler: (req: http.IncomingMessage, body: string) => { status: number; body: string }) {
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const out = handler(req, body);
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(out.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** The fields of a message in the document's List Messages and Send Message examples, and its statuses. */
const DOC_MESSAGE_KEYS = ['id', 'message', 'sent_at', 'status', 'subscriber_id', 'type'];
const DOC_STATUSES = ['sent', 'delivered', 'read', 'failed'];

describe.each([{ strict: false }, { strict: true }])('ChatPion (strict: $strict)', ({ strict }) => {
  beforeAll(async () => {
    sim = createSimulator({ seed: 1, strict });
    kit = new SimKit(sim);
    await kit.listen();
    apiKey = (sim.credentials() as { apiKey: string }).apiKey;
  });

  afterAll(async () => {
    await kit.close();
  });

  beforeEach(() => kit.reset());

  /** Doc silent on success codes: the default simulator answers a creation 201, the strict one 200. */
  const CREATED = strict ? 200 : 201;

  describe('simulator: the document’s examples', () => {
    it('GET /api/account, by header and by api_key query', async () => {
      const r = await call('GET', '/api/account');
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('success');
      expect(r.body.data).toMatchObject({
        id: expect.any(Number),
        name: expect.any(String),
        email: expect.any(String),
        plan: expect.any(String),
      });
      expect(r.body.data.created_at).toMatch(ISO);
      expect((await call('GET', `/api/account?api_key=${apiKey}`, { key: null })).status).toBe(200);
    });

    it('lists and connects social accounts, with platform and status filters', async () => {
      const all = await call('GET', '/api/social_accounts');
      expect(all.body.data.length).toBeGreaterThan(1);
      for (const a of all.body.data) {
        expect(a).toMatchObject({
          id: expect.any(Number),
          platform: expect.any(String),
          name: expect.any(String),
          access_token: '********',
        });
        expect(['active', 'inactive']).toContain(a.status);
        expect(a.connected_at).toMatch(ISO);
      }
      const fb = await call('GET', '/api/social_accounts?platform=facebook&status=active');
      expect(fb.body.data.length).toBeGreaterThan(0);
      expect(fb.body.data.every((a: Json) => a.platform === 'facebook' && a.status === 'active')).toBe(true);
      const made = await call('POST', '/api/social_accounts', {
        body: { platform: 'facebook', access_token: 'your_access_token_here', name: 'My Facebook Page' },
      });
      expect(made.status).toBe(CREATED);
      expect(made.body.data).toMatchObject({
        platform: 'facebook',
        name: 'My Facebook Page',
        access_token: '********',
        status: 'active',
      });
      expectError(await call('POST', '/api/social_accounts', { body: { platform: 'facebook' } }), 400);
    });

    it('lists subscribers with page/limit/total and platform and tag filters', async () => {
      const r = await call('GET', '/api/subscribers?page=1&limit=10');
      expect(r.body.data).toMatchObject({ total: 20, page: 1, limit: 10 });
      expect(r.body.data.subscribers).toHaveLength(10);
      for (const s of r.body.data.subscribers) {
        expect(s).toMatchObject({
          id: expect.any(Number),
          platform: expect.any(String),
          platform_id: expect.any(String),
          name: expect.any(String),
        });
        expect(s.tags.every((t: unknown) => typeof t === 'string')).toBe(true);
        expect(s.subscribed_at).toMatch(ISO);
      }
      const byTag = await call('GET', '/api/subscribers?tag=refund&limit=100');
      expect(byTag.body.data.subscribers.every((s: Json) => s.tags.includes('refund'))).toBe(true);
      expect(byTag.body.data.total).toBe(byTag.body.data.subscribers.length);
      const byPlatform = await call('GET', '/api/subscribers?platform=instagram&limit=100');
      expect(byPlatform.body.data.subscribers.every((s: Json) => s.platform === 'instagram')).toBe(true);
    });

    it('adds a subscriber (subscriber.created) and updates a known one (tags merged)', async () => {
      const example = {
        platform: 'facebook',
        platform_id: '12345',
        name: 'John Doe',
        email: 'john@example.com',
        tags: ['customer', 'newsletter'],
      };
      const r = await call('POST', '/api/subscribers', { body: example });
      expect(r.status).toBe(CREATED);
      expect(r.body.data).toMatchObject({ ...example, id: expect.any(Number) });
      const again = await call('POST', '/api/subscribers', {
        body: { platform: 'facebook', platform_id: 12345, tags: ['vip'] },
      });
      expect(again.status).toBe(200);
      expect(again.body.data).toMatchObject({ id: r.body.data.id, tags: ['customer', 'newsletter', 'vip'] });
      expectError(await call('POST', '/api/subscribers', { body: { platform: 'facebook' } }), 400);
      expectError(await call('POST', '/api/subscribers', { body: { ...example, tags: 'vip' } }), 400);
    });

    it('sends a message (recorded once) and lists messages by subscriber and status', async () => {
      const r = await call('POST', '/api/messages', {
        body: { subscriber_id: 1, message: 'Hello, world!', type: 'text' },
      });
      expect(r.status).toBe(CREATED);
      expect(r.body.data).toMatchObject({
        id: expect.any(Number),
        subscriber_id: 1,
        message: 'Hello, world!',
        type: 'text',
        status: 'sent',
      });
      expect(r.body.data.sent_at).toMatch(ISO);
      expect(kit.sent.map(({ to, text }) => ({ to, text }))).toEqual([{ to: '1', text: 'Hello, world!' }]);
      const list = await call('GET', '/api/messages?subscriber_id=1&page=1&limit=10');
      expect(list.body.data).toMatchObject({ total: expect.any(Number), page: 1, limit: 10 });
      expect(list.body.data.messages.every((m: Json) => m.subscriber_id === 1)).toBe(true);
      expect(list.body.data.messages[0]).toMatchObject({ id: r.body.data.id });
      const read = await call('GET', '/api/messages?status=read&limit=100');
      expect(read.body.data.messages.length).toBeGreaterThan(0);
      expect(read.body.data.messages.every((m: Json) => m.status === 'read')).toBe(true);
      expectError(await call('GET', '/api/messages?status=bogus'), 400);
      expectError(await call('POST', '/api/messages', { body: { subscriber_id: 99999, message: 'x' } }), 404);
      expectError(await call('POST', '/api/messages', { body: { subscriber_id: 1 } }), 400);
      expect(kit.sent).toHaveLength(1);
    });

    it(
      strict
        ? 'shows messages with exactly the document’s fields and statuses, the customers’ too'
        : 'shows messages with the document’s fields, plus direction and a received status for customers’',
      async () => {
        const customer = sim.inbound({ contact: { id: '2' }, text: 'Any news on my order?' });
        const reply = await call('POST', '/api/messages', { body: { subscriber_id: 2, message: 'Yes!' } });
        const all = (await call('GET', '/api/messages?limit=100')).body.data.messages as Json[];
        const mine = all.find((m) => String(m.id) === String(reply.body.data.id))!;
        const theirs = all.find((m) => String(m.id) === customer.messageId)!;
        const received = await call('GET', '/api/messages?status=received&limit=100');
        if (strict) {
          for (const m of [...all, reply.body.data])
            expect({ keys: Object.keys(m).sort(), status: DOC_STATUSES.includes(m.status) }).toEqual({
              keys: DOC_MESSAGE_KEYS,
              status: true,
            });
          expect(theirs.status).toBe('delivered');
          expectError(received, 400);
        } else {
          expect(theirs).toMatchObject({ direction: 'inbound', status: 'received' });
          expect(mine).toMatchObject({ direction: 'outbound', status: 'sent' });
          expect(received.body.data.messages.length).toBeGreaterThan(0);
          expect(
            received.body.data.messages.every(
              (m: Json) => m.status === 'received' && m.direction === 'inbound',
            ),
          ).toBe(true);
        }
        expect(theirs).toMatchObject({ subscriber_id: 2, message: 'Any news on my order?', type: 'text' });
        expect(mine).toMatchObject({ subscriber_id: 2, message: 'Yes!', type: 'text' });
      },
    );

    it('broadcasts: at once without a schedule, at its time with one', async () => {
      const example = {
        name: 'Newsletter Broadcast',
        message: 'Check out our latest newsletter!',
        type: 'text',
        target: { tags: ['newsletter'], platforms: ['facebook'] },
      };
      const audience = (await call('GET', '/api/subscribers?tag=newsletter&platform=facebook&limit=100')).body
        .data.total;
      const now = await call('POST', '/api/broadcasts', { body: example });
      expect(now.status).toBe(CREATED);
      expect(now.body.data).toMatchObject({
        ...example,
        id: expect.any(Number),
        status: 'completed',
        schedule: null,
      });
      expect(kit.sent).toHaveLength(audience);

      const at = new Date(Date.now() + 800).toISOString();
      const later = await call('POST', '/api/broadcasts', {
        body: { name: 'All', message: 'Sale! 🎉', schedule: { time: at, timezone: 'UTC' } },
      });
      expect(later.body.data).toMatchObject({
        status: 'scheduled',
        schedule: { time: at, timezone: 'UTC' },
        target: null,
      });
      expect(kit.sent).toHaveLength(audience);
      await until(() => kit.sent.length === audience + 20, 3000);
      expectError(
        await call('POST', '/api/broadcasts', {
          body: { name: 'x', message: 'y', schedule: { time: '2023-01-01T12:00:00' } },
        }),
        400,
      );
      expectError(await call('POST', '/api/broadcasts', { body: { message: 'y' } }), 400);
    });

    it('lists flows without nodes and gets one with its nodes', async () => {
      const list = await call('GET', '/api/flows?status=active');
      expect(list.body.data).toMatchObject({ total: 2, page: 1, limit: 10 });
      for (const f of list.body.data.flows) {
        expect(f).toMatchObject({
          id: expect.any(Number),
          name: expect.any(String),
          description: expect.any(String),
          status: 'active',
        });
        expect(f.nodes).toBeUndefined();
      }
      const one = await call('GET', '/api/flows/1');
      expect(one.body.data.name).toBe('Welcome Flow');
      expect(one.body.data.nodes.map((n: Json) => n.id)).toEqual([
        'start',
        'message1',
        'question1',
        'message2',
        'message3',
      ]);
      expectError(await call('GET', '/api/flows/999'), 404);
    });

    it('answers dashboard analytics from its state', async () => {
      const r = await call('GET', '/api/analytics/dashboard?platform=facebook');
      const { subscribers, messages, engagement } = r.body.data;
      for (const n of [
        ...Object.values(subscribers),
        ...Object.values(messages),
        ...Object.values(engagement),
      ])
        expect(typeof n).toBe('number');
      expect(messages.total).toBeGreaterThanOrEqual(messages.sent);
      expect(messages.sent).toBeGreaterThanOrEqual(messages.delivered);
      expect(messages.delivered).toBeGreaterThanOrEqual(messages.read);
      expectError(await call('GET', '/api/analytics/dashboard?start_date=yesterday'), 400);
    });
  });

  describe('simulator: errors, paging, limits, faults', () => {
    it('answers missing or wrong keys, unknown routes and bad bodies in the error envelope', async () => {
      expectError(await call('GET', '/api/subscribers', { key: null }), 401);
      expectError(await call('GET', '/api/subscribers', { key: 'nope' }), 401);
      expectError(await call('GET', '/api/subscribers?api_key=nope', { key: null }), 401);
      expectError(await call('GET', '/api/nothing'), 404);
      expectError(await call('DELETE', '/api/subscribers'), 404);
      expectError(await call('POST', '/api/messages', { raw: '{"subscriber_id": 1,' }), 400);
    });

    it('pages past the end, clamps page sizes', async () => {
      const past = await call('GET', '/api/subscribers?page=99&limit=10');
      expect(past.body.data).toMatchObject({ total: 20, page: 99, subscribers: [] });
      expect((await call('GET', '/api/messages?limit=1000')).body.data.limit).toBe(100);
      expect((await call('GET', '/api/messages?limit=abc&page=-3')).body.data).toMatchObject({
        page: 1,
        limit: 10,
      });
    });

    it('holds the documented 100 requests a minute with 429 and Retry-After (and 5,000 a day)', async () => {
      expect(sim.rateRules).toEqual([
        { limit: 100, windowMs: 60_000 },
        { limit: 5000, windowMs: 86_400_000 },
      ]);
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => call('GET', '/api/account').then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      const over = await call('GET', '/api/account');
      expectError(over, 429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('faults: down, latency, error rate, 429 storm, malformed JSON', async () => {
      const c = connect();
      kit.setFaults({ down: true });
      expect((await call('GET', '/api/account')).status).toBe(503);
      await expect(c.authenticate()).rejects.toMatchObject({ kind: 'server', status: 503 });

      kit.setFaults({ down: false, latencyMs: 250 });
      const t0 = Date.now();
      await c.authenticate();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(240);

      kit.setFaults({ latencyMs: 0, errorRate: 1 });
      expectError(await call('GET', '/api/account'), 500);
      await expect(c.backfill(null)).rejects.toMatchObject({ kind: 'server', status: 500 });

      kit.setFaults({ errorRate: 0, rateLimit: true });
      const storm = await call('GET', '/api/account');
      expectError(storm, 429);
      expect(storm.headers.get('retry-after')).toBe('1');

      kit.setFaults({ rateLimit: false, malformed: 1 });
      await expect(c.poll(null)).rejects.toMatchObject({ kind: 'malformed' });
    });
  });

  describe('connector', () => {
    it('declares what ChatPion can and cannot do, and the documented limits', async () => {
      const c = connect();
      expect(c.capabilities).toMatchObject({
        realtime: 'none',
        broadcast: 'native',
        flows: 'read-only',
        flowTest: false,
        templates: false,
        markRead: false,
      });
      for (const k of ['realtime', 'flows', 'flowTest', 'templates', 'markRead'])
        expect(c.capabilities.unavailable[k]).toMatch(/ChatPion/);
      expect(c.subscribe).toBeUndefined();
      expect(c.setFlowActive).toBeUndefined();
      expect(c.pollIntervalMs.fallback).toBe(2000);
      for (let i = 0; i < 100; i++) await c.http.limiter.take();
      expect(c.http.limiter.delay()).toBeGreaterThan(55_000);
    });

    it('authenticates with the key and says so clearly when it is wrong', async () => {
      await connect().authenticate();
      const bad = connect(kit, { apiKey: 'revoked' });
      const err = await bad.authenticate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'auth', status: 401 });
      expect((err as Error).message).toMatch(/API key.*Invalid API key/);
    });

    for (const order of ['newest-first', 'oldest-first'] as const) {
      it(`backfills everything the simulator holds, newest first, resumable (${order} lists)`, async () => {
        const k = new SimKit(createSimulator({ seed: 1, order, strict }));
        await k.listen();
        try {
          const c = connect(k);
          const { batches, conversations, messages } = await fullBackfill(c);
          const total = async (path: string) =>
            ((await (await fetch(`${k.baseUrl}${path}?api_key=${apiKey}`)).json()) as Json).data.total;
          const [subscribers, messageCount] = [await total('/api/subscribers'), await total('/api/messages')];
          expect(conversations).toHaveLength(subscribers);
          expect(new Set(messages.map((m) => m.externalId)).size).toBe(messageCount);
          expect(messages).toHaveLength(messageCount); // no page read twice
          expect(batches.at(-1)).toMatchObject({ done: true, cursor: null });
          // Newest first: the first message batch holds the newest message.
          const firstMessages = batches.find((b) => b.messages.length)!.messages;
          expect(firstMessages.map((m) => m.externalId)).toContain(String(messageCount));
          const convIds = new Set(conversations.map((x) => x.externalId));
          expect(messages.every((m) => convIds.has(m.conversationExternalId))).toBe(true);
          // No documented field says who wrote a message: all inbound, flagged inferred, ChatPion's status kept.
          expect(messages.every((m) => m.direction === 'in' && m.directionInferred === true)).toBe(true);
          const statuses = new Set(messages.map((m) => m.status));
          expect([...statuses].every((x) => [...DOC_STATUSES, 'received'].includes(x))).toBe(true);
          expect(statuses.has('received')).toBe(!strict);
          const tagged = conversations.find((x) => x.contact.tags.length)!;
          expect(tagged.meta).toMatchObject({ tags: tagged.contact.tags, platform: tagged.contact.platform });

          // Interrupted after two steps, a fresh connector resumes from the cursor without re-reading.
          const first = await c.backfill(null);
          const second = await c.backfill(first.cursor);
          const rest = connect(k);
          const seen = [...first.messages, ...second.messages];
          let cursor = second.cursor;
          while (cursor) {
            const b = await rest.backfill(cursor);
            seen.push(...b.messages);
            cursor = b.done ? null : b.cursor;
          }
          expect(seen).toHaveLength(messageCount);
        } finally {
          await k.close();
        }
      });

      it(`polls new conversations, messages both ways and status changes, one request when idle (${order} lists)`, async () => {
        const k = new SimKit(createSimulator({ seed: 1, order, strict }));
        await k.listen();
        try {
          const c = connect(k);
          let b = await c.poll(null);
          expect(b.messages.length).toBeGreaterThan(0);
          const idle = c.http.limiter.sent;
          b = await c.poll(b.cursor);
          expect(b).toMatchObject({ conversations: [], messages: [], done: true });
          expect(c.http.limiter.sent - idle).toBe(1);

          const fresh = k.sim.inbound({
            contact: { name: 'Zoë Ångström 🌸', handle: 'zoe.a' },
            text: 'Olá! Tudo bem? 👋',
          });
          const known = k.sim.inbound({ contact: { id: '3' }, text: 'Still waiting…' });
          b = await c.poll(b.cursor);
          const convs = new Map(b.conversations.map((x) => [x.externalId, x]));
          expect([...convs.keys()].sort()).toEqual([fresh.conversationId, '3'].sort());
          expect(convs.get(fresh.conversationId)?.contact).toMatchObject({
            name: 'Zoë Ångström 🌸',
            handle: 'zoe.a',
          });
          const byId = new Map(b.messages.map((m) => [m.externalId, m]));
          // A customer's message is inbound (inferred) whatever status ChatPion shows it with.
          expect(byId.get(fresh.messageId)).toMatchObject({
            direction: 'in',
            directionInferred: true,
            text: 'Olá! Tudo bem? 👋',
            status: strict ? 'delivered' : 'received',
            conversationExternalId: fresh.conversationId,
          });
          expect(byId.get(known.messageId)).toMatchObject({
            direction: 'in',
            directionInferred: true,
            conversationExternalId: '3',
          });
          expect(convs.get('3')?.lastActivityAt).toBe(byId.get(known.messageId)?.createdAt);

          // The reply comes back under the id its send answered, undirected: the store matches it by that id.
          const sent = await c.send(ref(fresh.conversationId), 'Hi Zoë, how can I help?', 'k1');
          b = await c.poll(b.cursor);
          expect(b.messages).toEqual([
            expect.objectContaining({ externalId: sent.externalId, directionInferred: true, status: 'sent' }),
          ]);
          await sleep(400); // the simulator delivers after 300 ms
          b = await c.poll(b.cursor);
          expect(b.messages).toEqual([
            expect.objectContaining({ externalId: sent.externalId, status: 'delivered' }),
          ]);
          b = await c.poll(b.cursor);
          expect(b.messages).toEqual([]);
        } finally {
          await k.close();
        }
      });
    }

    it('sends exactly once, finds what it sent, and maps the answer', async () => {
      const c = connect();
      const since = new Date().toISOString();
      const sent = await c.send(ref('5'), 'Your refund is on its way 💸', 'idem-1');
      expect(sent).toMatchObject({ externalId: expect.any(String), status: 'sent' });
      expect(kit.sent.map(({ to, text }) => ({ to, text }))).toEqual([
        { to: '5', text: 'Your refund is on its way 💸' },
      ]);
      expect(await c.findSent(ref('5'), 'Your refund is on its way 💸', since)).toMatchObject([
        { externalId: sent.externalId },
      ]);
      expect(await c.findSent(ref('5'), 'something else', since)).toEqual([]);
      expect(
        await c.findSent(ref('5'), 'Your refund is on its way 💸', new Date(Date.now() + 5000).toISOString()),
      ).toEqual([]);
      await expect(c.send(ref('99999'), 'x', 'idem-2')).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('calls a send ChatPion accepted with an unreadable answer unconfirmed, and findSent finds it', async () => {
      const c = connect();
      const since = new Date().toISOString();
      kit.setFaults({ malformed: 1 });
      await expect(c.send(ref('8'), 'Label printed 🏷️', 'k')).rejects.toMatchObject({
        kind: 'unconfirmed',
        message: expect.stringMatching(/POST \/api\/messages accepted it/),
      });
      await expect(c.broadcast!({ name: 'B', text: 'Hello all', tags: ['vip'] })).rejects.toMatchObject({
        kind: 'unconfirmed',
      });
      kit.setFaults({ malformed: 0 });
      expect(kit.sent.filter((x) => x.text === 'Label printed 🏷️')).toEqual([
        expect.objectContaining({ to: '8' }),
      ]);
      expect(await c.findSent(ref('8'), 'Label printed 🏷️', since)).toHaveLength(1);
    });

    it('waits through a 429 storm instead of failing, and sends once', async () => {
      const c = connect();
      kit.setFaults({ rateLimit: true });
      const pending = c.send(ref('2'), 'after the storm', 'k');
      await sleep(1200);
      expect(kit.sent).toHaveLength(0);
      kit.setFaults({ rateLimit: false });
      await expect(pending).resolves.toMatchObject({ status: 'sent' });
      expect(kit.sent.filter((s) => s.text === 'after the storm')).toHaveLength(1);
    });

    it('stays within a tightened limit: waits rather than failing or sending more', async () => {
      const c = connect();
      kit.setFaults({ rateLimit: 5 });
      for (let i = 0; i < 5; i++) await c.send(ref('1'), `m${i}`, `k${i}`);
      const sixth = c.send(ref('1'), 'm5', 'k5');
      const state = await Promise.race([
        sixth.then(
          () => 'sent',
          () => 'failed',
        ),
        sleep(1200).then(() => 'waiting'),
      ]);
      expect(state).toBe('waiting');
      expect(kit.sent).toHaveLength(5);
      expect(c.http.limiter.sent).toBe(6); // the one refused attempt, then it waits for Retry-After
      await c.close();
      await expect(sixth).rejects.toBeInstanceOf(ProviderError);
      expect(kit.sent).toHaveLength(5);
    });

    it('gives a message the same externalId through backfill, poll, send and webhooks; replays are harmless', async () => {
      const receiver: { query: Record<string, string>; body: Buffer }[] = [];
      const hook = await serve((req, body) => {
        const q = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
        receiver.push({ query: q, body: Buffer.from(body) });
        return { status: 200, body: '{}' };
      });
      sim.webhooks = [`${hook.url}/hook?token=${SECRET}`];
      try {
        const c = connect();
        const start = await c.poll(null);
        const sent = await c.send(ref('4'), 'Tracking: https://t.example/4', 'k');
        const polled = await c.poll(start.cursor);
        const replay = await c.poll(start.cursor); // the engine crashed before storing the cursor
        expect(polled.messages.map((m) => m.externalId)).toEqual([sent.externalId]);
        expect(replay.messages.map((m) => m.externalId)).toEqual([sent.externalId]);
        const backfilled = (await fullBackfill(c)).messages.find(
          (m) => m.text === 'Tracking: https://t.example/4',
        );
        expect(backfilled?.externalId).toBe(sent.externalId);

        await until(() => receiver.length >= 2);
        const events = receiver.flatMap(
          (r) =>
            c.handleWebhook!({ headers: {}, query: r.query, rawBody: r.body, method: 'POST' }).events ?? [],
        );
        expect(events).toContainEqual({
          kind: 'message',
          message: expect.objectContaining({ externalId: sent.externalId, directionInferred: true }),
        });
        expect(events).toContainEqual({
          kind: 'message.status',
          externalId: sent.externalId,
          status: 'delivered',
        });

        sim.inbound({ contact: { name: 'New Person', handle: 'new.person' }, text: 'hello' });
        const created = await until(() =>
          receiver.find((r) => JSON.parse(r.body.toString()).event === 'subscriber.created'),
        );
        const [conv] = c.handleWebhook!({
          headers: {},
          query: created.query,
          rawBody: created.body,
          method: 'POST',
        }).events!;
        expect(conv).toMatchObject({
          kind: 'conversation',
          conversation: { contact: { name: 'New Person', handle: 'new.person' } },
        });

        const forged = {
          headers: {},
          query: { token: 'guess' },
          rawBody: created.body,
          method: 'POST' as const,
        };
        expect(() => c.handleWebhook!(forged)).toThrow(expect.objectContaining({ kind: 'auth' }));
        expect(() => c.handleWebhook!({ ...forged, query: {} })).toThrow(
          expect.objectContaining({ kind: 'auth' }),
        );
      } finally {
        sim.webhooks = [];
        await hook.close();
      }
    });

    it('broadcasts natively, lists flows read-only, pages back through a conversation', async () => {
      const c = connect();
      const audience = (await call('GET', '/api/subscribers?tag=vip&limit=100')).body.data.total;
      const b = await c.broadcast!({
        name: 'VIP early access',
        text: 'Early access starts now ✨',
        tags: ['vip'],
      });
      expect(b).toMatchObject({ externalId: expect.any(String), status: 'completed' });
      expect(kit.sent).toHaveLength(audience);
      const scheduled = await c.broadcast!({
        name: 'Later',
        text: 'Soon',
        scheduleAt: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(scheduled.status).toBe('scheduled');

      const flows = await c.listFlows!();
      expect(flows.map((f) => [f.name, f.active])).toEqual([
        ['Soldes d’hiver', false],
        ['Order status 📦', true],
        ['Welcome Flow', true],
      ]);

      const history: RemoteMessage[] = [];
      let before: string | null = null;
      do {
        const page = await c.olderMessages!(ref('7'), before);
        history.push(...page.messages);
        before = page.next;
      } while (before);
      const expected = (await call('GET', '/api/messages?subscriber_id=7&limit=100')).body.data.total;
      expect(history).toHaveLength(expected);
      expect(history.every((m) => m.conversationExternalId === '7')).toBe(true);
    });

    it('recognises its native broadcasts when they are listed, also after a restart (poll cursor)', async () => {
      const c = connect();
      let b = await c.poll(null);
      const audience = (await call('GET', '/api/subscribers?tag=vip&limit=100')).body.data.total;
      const text = 'VIP night: 20% off until midnight ✨';
      await c.broadcast!({ name: 'VIP night', text, tags: ['vip'] });
      const customer = sim.inbound({ contact: { id: '1' }, text: 'Is the sale on?' });
      b = await c.poll(b.cursor);
      const own = b.messages.filter((m) => m.text === text);
      expect(own).toHaveLength(audience);
      for (const m of own) expect(m).toEqual(expect.not.objectContaining({ directionInferred: true }));
      expect(own.every((m) => m.direction === 'out')).toBe(true);
      expect(b.messages.find((m) => m.externalId === customer.messageId)).toMatchObject({
        direction: 'in',
        directionInferred: true,
      });

      // Scheduled: it goes out after the app restarted; the stored poll cursor still knows it.
      const later = 'Doors open in one hour 🚪';
      await c.broadcast!({
        name: 'Doors',
        text: later,
        scheduleAt: new Date(Date.now() + 600).toISOString(),
      });
      b = await c.poll(b.cursor);
      await c.close();
      await until(() => kit.sent.filter((x) => x.text === later).length === 20, 3000);
      const restarted = connect();
      const after = (await restarted.poll(b.cursor)).messages.filter((m) => m.text === later);
      expect(after).toHaveLength(20);
      expect(after.every((m) => m.direction === 'out' && !m.directionInferred)).toBe(true);
      // A connector that never saw either broadcast takes them for customers' messages (diagnostics say so).
      const stranger = await connect().backfill(JSON.stringify({ stage: 'messages', walk: null }));
      const unknown = stranger.messages.filter((m) => m.text === later);
      expect(unknown).toHaveLength(20);
      expect(unknown.every((m) => m.direction === 'in' && m.directionInferred)).toBe(true);
    });

    it('diagnostics: direction inferred; polling, replies and customers’ messages confirmed by what ChatPion answers', async () => {
      const c = connect(kit, { apiKey }, null);
      const topics = () => Object.fromEntries(c.diagnostics!().map((d) => [d.topic, d]));
      expect(Object.keys(topics())).toEqual(['direction', 'inbound', 'send', 'realtime', 'webhooks']);
      expect(Object.values(topics()).every((d) => !d.confirmed)).toBe(true);
      expect(topics().direction.reading).toMatch(/^inferred/);
      expect(topics().realtime.reading).toMatch(/polling .* every 2 s.*no round has finished yet/);
      expect(topics().webhooks.reading).toMatch(/cannot reach this app/);

      const b = await c.poll(null);
      expect(topics().realtime).toMatchObject({
        confirmed: true,
        reading: expect.stringMatching(/last round at/),
      });
      expect(topics().inbound.confirmed).toBe(true); // the seeded customers' messages
      expect(topics().send.confirmed).toBe(false);
      await c.send(ref('6'), 'Checking now 🔎', 'k');
      await c.poll(b.cursor);
      expect(topics().send).toMatchObject({
        confirmed: true,
        reading: expect.stringMatching(/have come back/),
      });
      expect(topics().direction.confirmed).toBe(false);

      // No webhook URL (ChatPion cannot reach the app), yet the handler still checks the token.
      const hook = (token: string) => ({
        headers: {},
        query: { token },
        rawBody: Buffer.from(''),
        method: 'GET' as const,
      });
      expect(() => c.handleWebhook!(hook('guess'))).toThrow(expect.objectContaining({ kind: 'auth' }));
      expect(topics().webhooks.confirmed).toBe(false);
      expect(c.handleWebhook!(hook(SECRET))).toEqual({ events: [] });
      expect(topics().webhooks).toMatchObject({
        confirmed: true,
        reading: expect.stringMatching(/arrived at/),
      });
    });

    it('paces polling by the daily budget', () => {
      let now = 0;
      const budget = new PollBudget(2, 86_400, () => now); // one request a second
      expect(budget.available).toBe(true);
      budget.spend(2);
      expect(budget.available).toBe(false);
      now += 1000;
      expect(budget.available).toBe(true);
    });
  });
});

describe('own messages: native broadcasts remembered', () => {
  const message = (text: string, createdAt: string) =>
    ({
      externalId: createdAt,
      conversationExternalId: '1',
      direction: 'in',
      directionInferred: true,
      text,
      type: 'text',
      createdAt,
      status: 'delivered',
    }) satisfies RemoteMessage;

  it('matches a broadcast’s text from the second it was asked for until a day after it went out', () => {
    let now = Date.parse('2026-03-01T10:00:00.500Z');
    const own = new OwnMessages(() => now);
    own.noteBroadcast('Sale!', now, Date.parse('2026-03-01T12:00:00Z'));
    const at = (iso: string, text = 'Sale!') => own.classify([message(text, iso)])[0].direction;
    expect(at('2026-03-01T09:59:59Z')).toBe('in');
    expect(at('2026-03-01T10:00:00Z')).toBe('out');
    expect(at('2026-03-02T12:00:00Z')).toBe('out');
    expect(at('2026-03-02T12:00:01Z')).toBe('in');
    expect(at('2026-03-01T12:00:00Z', 'Sale?')).toBe('in');
    now = Date.parse('2026-03-02T12:00:01Z');
    own.remember([]);
    expect(own.remembered).toEqual([]);
  });

  it('takes back only well-formed, unexpired broadcasts from a cursor, at most 20', () => {
    const own = new OwnMessages(() => 1000);
    own.remember('junk');
    own.remember([null, { text: 1 }, { text: 'old', fromMs: 0, untilMs: 999 }]);
    expect(own.remembered).toEqual([]);
    own.remember(Array.from({ length: 25 }, (_, i) => ({ text: `b${i}`, fromMs: 0, untilMs: 5000 })));
    expect(own.remembered.map((b) => b.text)).toEqual(Array.from({ length: 20 }, (_, i) => `b${i + 5}`));
  });
});

describe('connector against an independent reading of the document', () => {
  const T = Math.floor(Date.now() / 1000) - 3600;
  // String ids, epoch-second times, no direction field, total as a string, oldest first, and a page
  // size of 2 that it neither takes from `limit` nor echoes.
  const subscribers = [
    { id: 's-1', platform: 'instagram', platform_id: 'ig_1', name: 'Ana', tags: ['vip'], subscribed_at: T },
    { id: 's-2', platform: 'facebook', platform_id: 'fb_2', name: null, tags: null, subscribed_at: T + 100 },
  ];
  const messages: Json[] = [
    { id: 'm-1', subscriber_id: 's-1', message: 'hi', sent_at: T + 10, status: 'received' },
    { id: 'm-2', subscriber_id: 's-1', message: 'hello Ana', type: 'text', sent_at: T + 20, status: 'read' },
    {
      id: 'm-3',
      subscriber_id: 's-2',
      message: 'photo',
      type: 'image',
      sent_at: T + 200,
      status: 'received',
      attachment: 'https://x/p.jpg',
    },
  ];
  let shape: 'ok' | 'wrong' = 'ok';
  let server: Awaited<ReturnType<typeof serve>>;

  const listing = (items: Json[], key: string, q: URLSearchParams) => {
    const page = Number(q.get('page') ?? 1);
    return { total: String(items.length), page, [key]: items.slice((page - 1) * 2, page * 2) };
  };

  beforeAll(async () => {
    server = await serve((req, body) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const reply = (data: unknown, status = 200) => ({
        status,
        body: JSON.stringify({ status: 'success', data }),
      });
      if (req.headers['x-api-key'] !== 'k')
        return {
          status: 401,
          body: JSON.stringify({ status: 'error', message: 'Invalid API key', code: 401 }),
        };
      if (shape === 'wrong') return reply([]);
      if (u.pathname === '/api/account') return reply({ id: 'acc' });
      if (u.pathname === '/api/subscribers')
        return reply(listing(subscribers, 'subscribers', u.searchParams));
      if (u.pathname === '/api/messages' && req.method === 'POST') {
        const m = {
          id: `m-${messages.length + 1}`,
          message: JSON.parse(body).message,
          sent_at: Math.floor(Date.now() / 1000),
          status: 'sent',
        };
        messages.push({ ...m, subscriber_id: JSON.parse(body).subscriber_id });
        return reply(m);
      }
      if (u.pathname === '/api/messages') {
        const sid = u.searchParams.get('subscriber_id');
        return reply(
          listing(
            sid ? messages.filter((m) => m.subscriber_id === sid) : messages,
            'messages',
            u.searchParams,
          ),
        );
      }
      return { status: 404, body: JSON.stringify({ status: 'error', message: 'Not found', code: 404 }) };
    });
  });

  afterAll(() => server.close());

  const stubConnector = () => {
    const c = createConnector({
      baseUrl: server.url,
      credentials: { apiKey: 'k' },
      webhookUrl: 'http://127.0.0.1:9/',
      webhookSecret: SECRET,
    });
    open.push(c);
    return c;
  };

  it('backfills, polls, sends and finds without relying on the simulator’s choices', async () => {
    shape = 'ok';
    const c = stubConnector();
    await c.authenticate();
    const { conversations, messages: got } = await fullBackfill(c);
    expect(
      conversations.map((x) => [x.externalId, x.contact.name, x.contact.handle, x.contact.tags]).sort(),
    ).toEqual([
      ['s-1', 'Ana', 'ig_1', ['vip']],
      ['s-2', 'fb_2', 'fb_2', []],
    ]);
    // No direction field: every message is inbound, inferred, with the server's own status.
    expect(
      got.map((m) => [m.externalId, m.direction, m.directionInferred, m.status, m.type, m.createdAt]),
    ).toEqual([
      ['m-3', 'in', true, 'received', 'image', new Date((T + 200) * 1000).toISOString()],
      ['m-1', 'in', true, 'received', 'text', new Date((T + 10) * 1000).toISOString()],
      ['m-2', 'in', true, 'read', 'text', new Date((T + 20) * 1000).toISOString()],
    ]);
    expect(got[0].meta).toEqual({ attachment: 'https://x/p.jpg' });

    let b = await c.poll(null);
    b = await c.poll(b.cursor);
    expect(b.messages).toEqual([]);
    const since = new Date().toISOString();
    const sent = await c.send(ref('s-1'), 'On it!', 'k');
    messages.push({
      id: 'm-9',
      subscriber_id: 's-2',
      message: 'thanks',
      sent_at: Math.floor(Date.now() / 1000),
      status: 'received',
    });
    b = await c.poll(b.cursor);
    expect(b.messages.map((m) => [m.externalId, m.direction, m.conversationExternalId])).toEqual([
      [sent.externalId, 'in', 's-1'],
      ['m-9', 'in', 's-2'],
    ]);
    expect(await c.findSent(ref('s-1'), 'On it!', since)).toMatchObject([{ externalId: sent.externalId }]);
  });

  it('throws malformed, naming the endpoint, when an answer has the wrong shape', async () => {
    shape = 'wrong';
    const c = stubConnector();
    await expect(c.backfill(null)).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('GET /api/subscribers'),
    });
    await expect(c.poll(null)).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('GET /api/messages'),
    });
    shape = 'ok';
  });
});
