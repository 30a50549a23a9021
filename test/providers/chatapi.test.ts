// ChatAPI: the simulator against the document, and the connector against the simulator (real HTTP and
// WebSocket on 127.0.0.1), each in the simulator's default and strict modes (strict: only the fields the
// document shows, no user in /clients/me, no participants, no Retry-After). A small variant server checks the
// connector's tolerance of what the document leaves open (numeric ids, ascending pages, no user anywhere, no
// sender field, /clients/me refused, refused sort fields, rooms it may list but not read). About 20 s.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { ProviderError } from '../../main/providers/http';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator, type ChatApiSim } from '../../main/providers/chatapi/simulator';
import { createConnector } from '../../main/providers/chatapi/connector';
import type { Credentials, Diagnostic } from '../../main/domain/entities';
import type { ConversationRef, RemoteMessage, SyncBatch } from '../../main/domain/remote';
import type { ProviderConnector, RealtimeEvent, RealtimeHandlers } from '../../main/providers/types';

let sim: ChatApiSim;
let kit: SimKit;
const agentKey = () => (sim.credentials() as { apiKey: string }).apiKey;
const open: ProviderConnector[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
type Obj = Record<string, unknown>;

interface Answer {
  status: number;
  headers: Headers;
  body: Obj;
}

async function api(
  method: string,
  path: string,
  o: { key?: string | null; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const key = o.key === undefined ? agentKey() : o.key;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  const res = await fetch(kit.baseUrl + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Obj) : {} };
}

const dataOf = (a: Answer) => a.body.data as Obj;
const listOf = (a: Answer) => a.body.data as Obj[];

function connector(
  baseUrl = kit.baseUrl,
  apiKey = agentKey(),
  extra: { userId?: string } = {},
): ProviderConnector {
  const credentials: Credentials = extra.userId ? { apiKey, userId: extra.userId } : { apiKey };
  const c = createConnector({
    baseUrl,
    credentials,
    webhookUrl: 'http://127.0.0.1:9/hook',
    webhookSecret: 'x',
  });
  open.push(c);
  return c;
}

async function drain(
  step: (cursor: string | null) => Promise<SyncBatch>,
  cursor: string | null = null,
  maxSteps = 500,
) {
  const batches: SyncBatch[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const b = await step(cursor);
    batches.push(b);
    cursor = b.cursor;
    if (b.done) break;
  }
  return {
    cursor,
    batches,
    conversations: batches.flatMap((b) => b.conversations),
    messages: batches.flatMap((b) => b.messages),
  };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

function subscribe(c: ProviderConnector, handlers: RealtimeHandlers): Promise<() => void> {
  if (!c.subscribe) throw new Error('the ChatAPI connector has realtime');
  return c.subscribe(handlers);
}

const firstRoomId = () => [...sim.world.rooms.values()][0].id;
const ref = (roomId: string | number): ConversationRef => ({
  externalId: String(roomId),
  contactExternalId: '',
  meta: { roomId },
});

function expectErrorEnvelope(a: Answer, status: number, code: string): void {
  expect(a.status).toBe(status);
  expect(a.body).toMatchObject({ error_code: code, status_code: status });
  expect(typeof a.body.detail).toBe('string');
  expect(a.body.timestamp).toMatch(ISO);
}

/** The connector's own account of a topic (diagnostics are cheap: no requests). */
function diagnosis(c: ProviderConnector, topic: string): Diagnostic {
  const d = c.diagnostics?.().find((x) => x.topic === topic);
  if (!d) throw new Error(`no ${topic} diagnostic`);
  return d;
}

/** Requests the simulator served on a path (below the base URL), while `run` runs. */
async function countRequests(path: string, run: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = (req: http.IncomingMessage) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === `/api/v1${path}`) n++;
  };
  kit.server.on('request', count);
  try {
    await run();
  } finally {
    kit.server.off('request', count);
  }
  return n;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe.each([{ strict: false }, { strict: true }])('ChatAPI, simulator strict: $strict', ({ strict }) => {
  beforeAll(() => {
    sim = createSimulator({ seed: 1, strict });
    kit = new SimKit(sim);
    return kit.listen();
  });
  afterAll(() => kit.close());
  beforeEach(() => kit.reset());

  describe('ChatAPI simulator: the document replayed', () => {
    it('Create a User (master key): 201, success envelope, a scoped key', async () => {
      const a = await api('POST', '/users', {
        key: sim.masterKey,
        body: { email: 'john@example.com', username: 'john_doe', full_name: 'John Doe' },
      });
      expect(a.status).toBe(201);
      expect(Object.keys(a.body).sort()).toEqual(['data', 'status', 'timestamp']);
      expect(a.body.status).toBe('success');
      expect(a.body.timestamp).toMatch(ISO);
      const u = dataOf(a);
      expect(u).toMatchObject({
        email: 'john@example.com',
        username: 'john_doe',
        full_name: 'John Doe',
        ...(strict ? {} : { is_active: true }),
      });
      expect(typeof u.id).toBe('string');
      expect(u.scoped_api_key).toMatch(/^sk_user_/);
      expect(u.created_at).toMatch(ISO);
    });

    it('Send a Message (user key): 201 with the message, recorded as sent', async () => {
      const room = listOf(await api('GET', '/rooms'))[0];
      const a = await api('POST', '/messages', {
        body: { room_id: room.id, content: 'Hello, everyone!', message_type: 'text' },
      });
      expect(a.status).toBe(201);
      expect(dataOf(a)).toMatchObject({
        room_id: room.id,
        content: 'Hello, everyone!',
        message_type: 'text',
        sender_id: sim.world.agent.id,
      });
      expect(dataOf(a).created_at).toMatch(ISO);
      expect(kit.sent).toEqual([expect.objectContaining({ to: room.id, text: 'Hello, everyone!' })]);
    });

    it('Send a Notification (master key), then list, get, filter and analytics', async () => {
      const body = {
        type: 'email',
        to_email: 'user@example.com',
        subject: 'Welcome!',
        content: '<h1>Welcome to our platform!</h1>',
      };
      const a = await api('POST', '/notifications', { key: sim.masterKey, body });
      expect(a.status).toBe(201);
      expect(dataOf(a)).toMatchObject({ ...body, status: 'sent' });
      const one = await api('GET', `/notifications/${dataOf(a).id}`, { key: sim.masterKey });
      expect(dataOf(one).id).toBe(dataOf(a).id);
      expect(listOf(await api('GET', '/notifications?status=sent', { key: sim.masterKey }))).toHaveLength(1);
      expect(listOf(await api('GET', '/notifications?status=failed', { key: sim.masterKey }))).toHaveLength(
        0,
      );
      expect(dataOf(await api('GET', '/notifications/analytics', { key: sim.masterKey }))).toMatchObject({
        total: 1,
        by_type: { email: 1 },
      });
    });

    it('Pagination: ?page=1&size=20&sort=created_at&order=desc answers the documented pagination block', async () => {
      const room = [...sim.world.rooms.values()].find((r) => sim.world.liveMessages(r.id).length >= 3)!;
      const a = await api('GET', `/messages?room_id=${room.id}&page=1&size=2&sort=created_at&order=desc`);
      expect(a.status).toBe(200);
      const total = sim.world.liveMessages(room.id).length;
      expect(a.body.pagination).toEqual({
        page: 1,
        size: 2,
        total,
        pages: Math.ceil(total / 2),
        has_next: true,
        has_prev: false,
      });
      const times = listOf(a).map((m) => String(m.created_at));
      expect(times).toEqual([...times].sort().reverse());
      const asc = await api('GET', `/messages?room_id=${room.id}&order=asc`);
      const ascTimes = listOf(asc).map((m) => String(m.created_at));
      expect(ascTimes).toEqual([...ascTimes].sort());
    });

    it('Filtering: message_type and a start_date/end_date day range', async () => {
      const roomId = firstRoomId();
      const total = sim.world.liveMessages(roomId).length;
      expect(listOf(await api('GET', `/messages?room_id=${roomId}&message_type=text&size=100`))).toHaveLength(
        total,
      );
      expect(listOf(await api('GET', `/messages?room_id=${roomId}&message_type=image`))).toHaveLength(0);
      const day = new Date().toISOString().slice(0, 10);
      const later = await api('GET', `/messages?room_id=${roomId}&start_date=2999-01-01`);
      expect(listOf(later)).toHaveLength(0);
      const upToToday = await api(
        'GET',
        `/messages?room_id=${roomId}&start_date=2024-01-01&end_date=${day}&size=100`,
      );
      expect(listOf(upToToday).length).toBe(total);
    });

    it('Error example: 422 VALIDATION_ERROR with errors[{field, message}]', async () => {
      const a = await api('POST', '/users', { key: sim.masterKey, body: { email: 'nope', username: '' } });
      expectErrorEnvelope(a, 422, 'VALIDATION_ERROR');
      expect(a.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'email', message: 'Invalid email format' },
          expect.objectContaining({ field: 'username' }),
        ]),
      );
      const empty = await api('POST', '/messages', { body: { room_id: firstRoomId(), content: '' } });
      expect(empty.body.errors).toEqual([{ field: 'content', message: 'Content cannot be empty' }]);
    });

    it('Rate limit headers on message requests', async () => {
      const a = await api('GET', `/messages?room_id=${firstRoomId()}`);
      expect(a.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(a.headers.get('x-ratelimit-remaining')).toBe('999');
      expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    });

    it('clients/me, users, login rotating a key, rooms, join/leave, update and delete a message', async () => {
      const me = dataOf(await api('GET', '/clients/me'));
      if (strict) expect(Object.keys(me).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
      else expect(me).toMatchObject({ name: 'Acme Support', user: { id: sim.world.agent.id } });
      expect(me.name).toBe('Acme Support');
      const users = await api('GET', '/users?size=5', { key: sim.masterKey });
      expect(listOf(users)).toHaveLength(5);
      expect(users.body.pagination).toMatchObject({ total: sim.world.users.size, has_next: true });
      const created = dataOf(
        await api('POST', '/users', { key: sim.masterKey, body: { email: 'a@b.co', username: 'ab' } }),
      );
      const updated = await api('PUT', `/users/${created.id}`, {
        key: sim.masterKey,
        body: { full_name: 'A B' },
      });
      expect(dataOf(updated).full_name).toBe('A B');
      const login = await api('POST', '/users/login', { key: sim.masterKey, body: { email: 'a@b.co' } });
      expect(dataOf(login)).toMatchObject({
        user: { id: created.id },
        scoped_api_key: expect.stringMatching(/^sk_user_/),
      });
      expect((await api('GET', '/clients/me', { key: String(created.scoped_api_key) })).status).toBe(401);
      const userKey = String(dataOf(login).scoped_api_key);
      const room = dataOf(await api('POST', '/rooms', { key: userKey, body: { name: 'Side room' } }));
      if (strict) expect(Object.keys(room).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
      else expect(room.participants).toEqual([expect.objectContaining({ id: created.id })]);
      expect((await api('POST', `/rooms/${room.id}/join`)).status).toBe(200);
      expect(
        listOf(await api('GET', '/rooms/all?size=100', { key: sim.masterKey })).map((r) => r.id),
      ).toContain(room.id);
      const msg = dataOf(await api('POST', '/messages', { body: { room_id: room.id, content: 'typo' } }));
      const edit = await api('PUT', `/messages/${msg.id}`, { body: { content: 'fixed' } });
      expect(dataOf(edit)).toMatchObject(
        strict ? { content: 'fixed' } : { content: 'fixed', edited_at: expect.stringMatching(ISO) },
      );
      expectErrorEnvelope(
        await api('PUT', `/messages/${msg.id}`, { key: userKey, body: { content: 'x' } }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect((await api('DELETE', `/messages/${msg.id}`)).status).toBe(204);
      expect(listOf(await api('GET', `/messages?room_id=${room.id}`))).toHaveLength(0);
      expect((await api('POST', `/rooms/${room.id}/leave`)).status).toBe(200);
      expectErrorEnvelope(await api('GET', `/messages?room_id=${room.id}`), 403, 'INSUFFICIENT_PERMISSIONS');
      expect((await api('DELETE', `/users/${created.id}`, { key: sim.masterKey })).status).toBe(204);
    });

    it('webhooks: CRUD, and signed deliveries of new messages', async () => {
      const got: { body: string; signature: string | undefined }[] = [];
      const receiver = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          got.push({ body, signature: req.headers['x-chatapi-signature'] as string | undefined });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/in`;
      try {
        const hook = await api('POST', '/webhooks', {
          key: sim.masterKey,
          body: { url, events: ['message.created'], secret: 's3cret' },
        });
        expect(hook.status).toBe(201);
        expect(dataOf(hook)).not.toHaveProperty('secret');
        expect(listOf(await api('GET', '/webhooks', { key: sim.masterKey }))).toHaveLength(1);
        const { messageId } = sim.inbound({ text: 'webhook me' });
        await until(() => got.length === 1);
        expect(JSON.parse(got[0].body)).toMatchObject({
          event: 'message.created',
          data: { id: messageId, content: 'webhook me' },
        });
        expect(got[0].signature).toBe(
          'sha256=' + createHmac('sha256', 's3cret').update(got[0].body).digest('hex'),
        );
        const put = await api('PUT', `/webhooks/${dataOf(hook).id}`, {
          key: sim.masterKey,
          body: { is_active: false },
        });
        expect(dataOf(put).is_active).toBe(false);
        expect((await api('DELETE', `/webhooks/${dataOf(hook).id}`, { key: sim.masterKey })).status).toBe(
          204,
        );
      } finally {
        receiver.close();
      }
    });

    it('GET /websocket/open without an upgrade answers where to connect', async () => {
      const a = await api('GET', '/websocket/open');
      expect(a.status).toBe(200);
      expect(dataOf(a).url).toBe(`ws://${new URL(kit.origin).host}/api/v1/websocket/open`);
    });
  });

  describe('ChatAPI simulator: auth, pagination edges, bad input', () => {
    it('missing or wrong API key → 401 INVALID_CREDENTIALS; wrong key type → 403', async () => {
      expectErrorEnvelope(await api('GET', '/rooms', { key: null }), 401, 'INVALID_CREDENTIALS');
      expectErrorEnvelope(await api('GET', '/rooms', { key: 'sk_user_nope' }), 401, 'INVALID_CREDENTIALS');
      expectErrorEnvelope(await api('GET', '/users'), 403, 'INSUFFICIENT_PERMISSIONS');
      expectErrorEnvelope(
        await api('POST', '/messages', { key: sim.masterKey, body: {} }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
    });

    it('unknown route → 404, bad JSON → 400, missing fields → 422, unknown room → 404', async () => {
      expectErrorEnvelope(await api('GET', '/nowhere'), 404, 'RESOURCE_NOT_FOUND');
      expectErrorEnvelope(await api('POST', '/messages', { raw: '{"room_id": ' }), 400, 'VALIDATION_ERROR');
      const missing = await api('POST', '/messages', { body: { content: 'hi' } });
      expectErrorEnvelope(missing, 422, 'VALIDATION_ERROR');
      expect(missing.body.errors).toEqual([{ field: 'room_id', message: 'Field required' }]);
      expectErrorEnvelope(await api('GET', '/messages'), 422, 'VALIDATION_ERROR');
      expectErrorEnvelope(
        await api('POST', '/messages', { body: { room_id: 'nope', content: 'hi' } }),
        404,
        'RESOURCE_NOT_FOUND',
      );
    });

    it('page past the end is empty; size above 100 or below 1 is refused', async () => {
      const past = await api('GET', '/rooms?page=99&size=10');
      expect(past.status).toBe(200);
      expect(listOf(past)).toEqual([]);
      expect(past.body.pagination).toMatchObject({ page: 99, has_next: false, has_prev: true, total: 20 });
      expect((await api('GET', '/rooms?size=100')).status).toBe(200);
      expectErrorEnvelope(await api('GET', '/rooms?size=101'), 422, 'VALIDATION_ERROR');
      expectErrorEnvelope(await api('GET', '/rooms?size=0'), 422, 'VALIDATION_ERROR');
      expectErrorEnvelope(await api('GET', '/rooms?sort=colour'), 422, 'VALIDATION_ERROR');
    });

    it('the connector refuses a wrong key clearly', async () => {
      const err = await connector(kit.baseUrl, 'sk_user_wrong')
        .authenticate()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).kind).toBe('auth');
      expect((err as ProviderError).message).toMatch(/API key.*INVALID_CREDENTIALS/);
    });

    it('WebSocket: wrong key → 401, more than 10 connections per client → 429', async () => {
      const url = kit.baseUrl.replace('http', 'ws') + '/websocket/open';
      const status = (key: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
          ws.on('open', () => resolve(101));
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        });
      expect(await status('sk_user_wrong')).toBe(401);
      const sockets: WebSocket[] = [];
      for (let i = 0; i < 10; i++) {
        const ws = new WebSocket(url, { headers: { authorization: `Bearer ${agentKey()}` } });
        await new Promise((r) => ws.on('open', r));
        sockets.push(ws);
      }
      expect(await status(agentKey())).toBe(429);
      for (const ws of sockets) ws.terminate();
    });
  });

  describe('ChatAPI faults', () => {
    it('down: 503 and refused WebSocket; the connector reports a server error', async () => {
      const c = connector();
      await c.authenticate();
      kit.setFaults({ down: true });
      expect((await api('GET', '/rooms')).status).toBe(503);
      const err = await c.backfill(null).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'server', status: 503 });
    });

    it('latency: answers arrive late but whole', async () => {
      kit.setFaults({ latencyMs: 300 });
      const t0 = Date.now();
      expect((await api('GET', '/clients/me')).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    });

    it('errorRate: 500 in the ChatAPI envelope; the connector reports a server error', async () => {
      kit.setFaults({ errorRate: 1 });
      expectErrorEnvelope(await api('GET', '/rooms'), 500, 'INTERNAL_SERVER_ERROR');
      expect(
        await connector()
          .authenticate()
          .catch((e: unknown) => e),
      ).toMatchObject({ kind: 'server', status: 500 });
    });

    it('429 storm: Retry-After in the envelope; the connector waits and sends once the storm passes', async () => {
      const c = connector();
      await c.authenticate();
      kit.setFaults({ rateLimit: true });
      const a = await api('GET', '/rooms');
      expectErrorEnvelope(a, 429, 'RATE_LIMIT_EXCEEDED');
      // The document promises X-RateLimit-* headers only: strict sends no Retry-After, the connector backs off.
      expect(a.headers.get('retry-after')).toBe(strict ? null : '1');
      const sending = c.send(ref(firstRoomId()), 'after the storm', 'k1');
      await sleep(1200);
      expect(kit.sent).toHaveLength(0);
      kit.setFaults({ rateLimit: false });
      await expect(sending).resolves.toMatchObject({ status: 'sent' });
      expect(kit.sent.map((s) => s.text)).toEqual(['after the storm']);
    });

    it('a tightened limit (5/min): the connector holds back instead of failing or overrunning it', async () => {
      kit.setFaults({ rateLimit: 5 });
      const c = connector();
      let requests = 0;
      const count = () => requests++;
      kit.server.on('request', count);
      try {
        await c.authenticate();
        const roomId = firstRoomId();
        const sends = (async () => {
          for (let i = 0; i < 6; i++) await c.send(ref(roomId), `limited ${i}`, `k${i}`);
        })();
        const outcome = sends.then(
          () => 'finished',
          (e: unknown) => e,
        );
        await until(() => kit.sent.length === 4);
        await sleep(800);
        expect(kit.sent).toHaveLength(4);
        expect(requests).toBe(5);
        expect(c.http.limiter.delay()).toBeGreaterThan(30_000);
        await c.close();
        expect(await outcome).toBeInstanceOf(ProviderError);
      } finally {
        kit.server.off('request', count);
      }
    });

    it('malformed JSON: the connector throws ProviderError malformed', async () => {
      const c = connector();
      await c.authenticate();
      kit.setFaults({ malformed: 1 });
      expect(await c.backfill(null).catch((e: unknown) => e)).toMatchObject({ kind: 'malformed' });
    });

    it('keys do not expire in ChatAPI; a key rotated by POST /users/login is refused as auth', async () => {
      const c = connector();
      await c.authenticate();
      await api('POST', '/users/login', { key: sim.masterKey, body: { email: sim.world.agent.email } });
      expect(await c.backfill(null).catch((e: unknown) => e)).toMatchObject({ kind: 'auth', status: 401 });
    });
  });

  describe('ChatAPI connector against the simulator', () => {
    async function simTotals(): Promise<{ rooms: number; messages: number }> {
      const rooms = await api('GET', '/rooms?size=100');
      let messages = 0;
      for (const r of listOf(rooms)) {
        const page = await api('GET', `/messages?room_id=${r.id}&size=1`);
        messages += Number((page.body.pagination as Obj).total);
      }
      return { rooms: Number((rooms.body.pagination as Obj).total), messages };
    }

    it('declares honest capabilities', () => {
      const c = connector();
      expect(c.capabilities).toMatchObject({
        realtime: 'websocket',
        broadcast: 'fanout',
        flows: 'none',
        templates: false,
        markRead: false,
      });
      expect(c.capabilities.unavailable.flows).toMatch(/no chatbot flows/);
      expect(c.pollIntervalMs.live).toBeGreaterThan(c.pollIntervalMs.fallback);
    });

    it('full backfill equals the simulator, newest first, no duplicates, resumable without re-downloading', async () => {
      const totals = await simTotals();
      const c = connector();
      await c.authenticate();
      const full = await drain((cur) => c.backfill(cur));
      expect(full.conversations).toHaveLength(totals.rooms);
      expect(full.messages).toHaveLength(totals.messages);
      expect(new Set(full.messages.map((m) => m.externalId)).size).toBe(totals.messages);
      const activity = full.conversations.map((conv) => conv.lastActivityAt);
      expect(activity).toEqual([...activity].sort().reverse());
      const ivan = full.conversations.find((conv) => conv.contact.name === 'Ivan Horvat')!;
      // Strict rooms list no participants: the room is the contact, named by the room.
      expect(ivan.contact).toMatchObject(
        strict
          ? { externalId: `room:${ivan.externalId}`, handle: 'Ivan Horvat', tags: [] }
          : { handle: 'ivan.horvat0', email: 'ivan.horvat0@example.com', platform: 'whatsapp' },
      );
      expect(ivan.status).toBe(strict ? undefined : 'open');
      // Default: /clients/me names the agent, so its lines are out. Strict: nothing says who the key's user is
      // before this app replies, so every line is inferred inbound (the store matches the app's own replies).
      const agentLines = full.messages.filter((m) => m.meta?.senderId === sim.world.agent.id);
      expect(agentLines.length).toBeGreaterThan(0);
      expect(
        agentLines.every((m) =>
          strict ? m.direction === 'in' && m.directionInferred : m.direction === 'out',
        ),
      ).toBe(true);
      expect(full.messages.every((m) => m.status === 'sent')).toBe(true);
      expect(full.messages.filter((m) => m.direction === 'in').every((m) => m.directionInferred)).toBe(true);
      expect(full.messages.every((m) => ISO.test(m.createdAt) && m.type === 'text')).toBe(true);
      // Every room here fits in one page: each is reported read whole, so scrolling back never asks again.
      const whole = new Set(full.batches.flatMap((b) => b.historyComplete ?? []));
      expect([...whole].sort()).toEqual(full.conversations.map((conv) => conv.externalId).sort());

      // Interrupted halfway: a new connector resumes from the stored cursor and fetches only the rest.
      expect(full.batches.length).toBeGreaterThan(2);
      const first = connector();
      await first.authenticate();
      const part = await drain((cur) => first.backfill(cur), null, Math.floor(full.batches.length / 2));
      const second = connector();
      await second.authenticate();
      const rest = await drain((cur) => second.backfill(cur), part.cursor);
      expect(part.batches.length + rest.batches.length).toBe(full.batches.length);
      // Nothing read twice: the two halves together made the full run's requests, plus one more GET /clients/me
      // and GET /rooms/all (each connector checks its key, and learns once that it may not list every room).
      expect(first.http.limiter.sent + second.http.limiter.sent).toBe(c.http.limiter.sent + 2);
      expect(rest.batches.length).toBeGreaterThan(0);
      const ids = [...part.messages, ...rest.messages].map((m) => m.externalId).sort();
      expect(ids).toEqual(full.messages.map((m) => m.externalId).sort());
    });

    it('poll: inbound (known and new customers) and the agent’s own replies appear; a quiet round costs one request', async () => {
      const c = connector();
      const base = await drain((cur) => c.backfill(cur));
      let { cursor } = await drain((cur) => c.poll(cur));
      const before = c.http.limiter.sent;
      ({ cursor } = await drain((cur) => c.poll(cur), cursor));
      expect(c.http.limiter.sent - before).toBe(1);

      const known = base.conversations.find((conv) => conv.contact.name === 'Ivan Horvat')!;
      const a = sim.inbound({ contact: { handle: 'ivan.horvat0' }, text: 'Is it shipped yet?' });
      const b = sim.inbound({ contact: { name: 'Zoë Новая' }, text: 'First time here 👋' });
      await c.send(ref(known.externalId), 'Yes, this morning!', 'k1');
      const round = await drain((cur) => c.poll(cur), cursor);
      expect(a.conversationId).toBe(known.externalId);
      const byText = new Map(round.messages.map((m) => [m.text, m]));
      expect(byText.get('Is it shipped yet?')).toMatchObject({
        externalId: a.messageId,
        direction: 'in',
        conversationExternalId: known.externalId,
      });
      expect(byText.get('First time here 👋')).toMatchObject({ externalId: b.messageId, direction: 'in' });
      expect(byText.get('Yes, this morning!')).toMatchObject({ direction: 'out', status: 'sent' });
      const fresh = round.conversations.find((conv) => conv.externalId === b.conversationId);
      expect(fresh?.contact.name).toBe('Zoë Новая');
      expect(round.conversations.map((conv) => conv.externalId)).toContain(known.externalId);

      const again = await drain((cur) => c.poll(cur), round.cursor);
      expect(again.messages).toEqual([]);
    });

    it('realtime: an inbound message arrives within 1 s; the link reports down and comes back', async () => {
      const c = connector();
      await drain((cur) => c.backfill(cur));
      const events: RealtimeEvent[] = [];
      const states: string[] = [];
      await subscribe(c, { onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
      await until(() => states.includes('live'));

      const t0 = Date.now();
      const known = sim.inbound({ contact: { handle: 'ivan.horvat0' }, text: 'ping from Ivan' });
      await until(
        () => events.some((e) => e.kind === 'message' && e.message.externalId === known.messageId),
        1000,
      );
      expect(Date.now() - t0).toBeLessThan(1000);
      const event = events.find((e) => e.kind === 'message' && e.message.externalId === known.messageId);
      expect(event).toMatchObject({
        message: { direction: 'in', conversationExternalId: known.conversationId, text: 'ping from Ivan' },
        conversation: { externalId: known.conversationId, contact: { name: 'Ivan Horvat' } },
      });
      expect(diagnosis(c, 'realtime')).toMatchObject({
        confirmed: true,
        reading: expect.stringMatching(/open/),
      });

      const stranger = sim.inbound({ text: 'hello from a stranger' });
      await until(
        () => events.some((e) => e.kind === 'message' && e.message.externalId === stranger.messageId),
        1000,
      );
      expect(events.at(-1)).toEqual({ kind: 'resync' });

      const sent = await c.send(ref(known.conversationId), 'on it', 'k1');
      await until(
        () => events.some((e) => e.kind === 'message' && e.message.externalId === sent.externalId),
        1000,
      );

      sim.dropRealtime();
      await until(() => states.at(-1) === 'down');
      expect(diagnosis(c, 'realtime')).toMatchObject({
        confirmed: false,
        reading: expect.stringMatching(/down/),
      });
      await until(() => states.at(-1) === 'live', 4000);
    });

    it('realtime against a provider that is down: down, then live when it is back', async () => {
      const c = connector();
      await c.authenticate();
      const states: { s: string; reason?: string }[] = [];
      await subscribe(c, { onEvent: () => {}, onState: (s, reason) => states.push({ s, reason }) });
      await until(() => states.at(-1)?.s === 'live');
      kit.setFaults({ down: true });
      await until(() => states.at(-1)?.s === 'down');
      await sleep(700);
      expect(states.at(-1)?.s).toBe('down');
      kit.setFaults({ down: false });
      await until(() => states.at(-1)?.s === 'live', 4000);
    });

    it('send: one request, recorded once; findSent finds it and nothing else', async () => {
      const c = connector();
      await c.authenticate();
      const roomId = firstRoomId();
      const since = new Date(Date.now() - 1).toISOString();
      const before = c.http.limiter.sent;
      const sent = await c.send(ref(roomId), 'Your refund is on its way 💸', 'idem-1');
      expect(c.http.limiter.sent - before).toBe(1);
      expect(kit.sent).toEqual([
        expect.objectContaining({ to: roomId, text: 'Your refund is on its way 💸' }),
      ]);
      expect(await c.findSent(ref(roomId), 'Your refund is on its way 💸', since)).toEqual([sent]);
      expect(await c.findSent(ref(roomId), 'never sent', since)).toEqual([]);
      expect(
        await c.findSent(
          ref(roomId),
          'Your refund is on its way 💸',
          new Date(Date.now() + 60_000).toISOString(),
        ),
      ).toEqual([]);
      // The same text sent again: both copies, oldest first.
      const again = await c.send(ref(roomId), 'Your refund is on its way 💸', 'idem-2');
      expect(await c.findSent(ref(roomId), 'Your refund is on its way 💸', since)).toEqual([sent, again]);
    });

    it('the same message has the same externalId from backfill, poll, realtime and send, however often seen', async () => {
      const c = connector();
      const events: RealtimeEvent[] = [];
      const states: string[] = [];
      await subscribe(c, { onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
      await until(() => states.includes('live'));
      const { cursor } = await drain((cur) => c.poll(cur));
      const sent = await c.send(ref(firstRoomId()), 'one and only', 'k');
      await until(() => events.some((e) => e.kind === 'message' && e.message.text === 'one and only'));
      const ours = (ms: RemoteMessage[]) => ms.filter((m) => m.text === 'one and only');
      const pushed = ours(events.flatMap((e) => (e.kind === 'message' ? [e.message] : [])));
      const polled = ours((await drain((cur) => c.poll(cur), cursor)).messages);
      const polledAgain = ours((await drain((cur) => c.poll(cur), cursor)).messages);
      const backfilled = ours((await drain((cur) => c.backfill(cur))).messages);
      expect(polled).toEqual(polledAgain);
      for (const seen of [pushed, polled, backfilled])
        expect(seen.map((m) => m.externalId)).toEqual([sent.externalId]);
    });

    it('accepts the bare origin as base URL', async () => {
      const c = connector(kit.origin);
      await c.authenticate();
      expect((await c.backfill(null)).conversations.length).toBeGreaterThan(0);
    });
  });
  describe('ChatAPI identity, rooms and diagnostics', () => {
    it('one room, no user named: authenticate and backfill work, the customer is inbound; the app’s reply shows who the agent is, and a restart keeps it', async () => {
      const small = createSimulator({ seed: 5, conversations: 1, strict });
      const smallKit = new SimKit(small);
      await smallKit.listen();
      try {
        const key = (small.credentials() as { apiKey: string }).apiKey;
        const agent = small.world.agent.id;
        const c = connector(smallKit.baseUrl, key);
        await c.authenticate();
        expect(diagnosis(c, 'identity')).toMatchObject({
          confirmed: false,
          reading: expect.stringContaining(
            strict ? 'unknown yet' : `user ${agent}, named by GET /clients/me`,
          ),
        });
        expect(diagnosis(c, 'direction')).toMatchObject({
          confirmed: false,
          reading: expect.stringMatching(strict ? /^inferred/ : new RegExp(`sender_id is user ${agent}`)),
        });
        const full = await drain((cur) => c.backfill(cur));
        expect(full.conversations).toHaveLength(1);
        const conv = full.conversations[0];
        const room = small.world.rooms.get(conv.externalId)!;
        expect(full.messages.length).toBe(small.world.liveMessages(room.id).length);
        let { cursor } = await drain((cur) => c.poll(cur));

        const customer = small.inbound({ contact: { name: conv.contact.name }, text: 'still waiting' });
        expect(customer.conversationId).toBe(room.id);
        const round = await drain((cur) => c.poll(cur), cursor);
        expect(round.messages.find((m) => m.externalId === customer.messageId)).toMatchObject({
          direction: 'in',
          directionInferred: true,
        });

        const convRef = { externalId: conv.externalId, contactExternalId: '', meta: conv.meta ?? {} };
        await c.send(convRef, 'on our way', 'k1');
        expect(diagnosis(c, 'identity')).toMatchObject({
          confirmed: true,
          reading: expect.stringContaining(agent),
        });
        expect(diagnosis(c, 'direction').confirmed).toBe(true);
        small.world.addMessage(room, agent, 'typed in the ChatAPI console');
        const after = await drain((cur) => c.poll(cur), round.cursor);
        const byText = new Map(after.messages.map((m) => [m.text, m]));
        expect(byText.get('on our way')).toMatchObject({ direction: 'out' });
        expect(byText.get('typed in the ChatAPI console')).toMatchObject({ direction: 'out' });
        expect(byText.get('typed in the ChatAPI console')).not.toHaveProperty('directionInferred');
        cursor = after.cursor;

        // A restart: the poll cursor brings back who the agent is, before any new reply.
        const restarted = connector(smallKit.baseUrl, key);
        await restarted.authenticate();
        small.world.addMessage(room, agent, 'after the restart');
        const again = await drain((cur) => restarted.poll(cur), cursor);
        expect(again.messages.find((m) => m.text === 'after the restart')).toMatchObject({
          direction: 'out',
        });
        expect(diagnosis(restarted, 'identity').confirmed).toBe(true);
      } finally {
        await Promise.all(open.splice(0).map((x) => x.close()));
        await smallKit.close();
      }
    });

    it('{apiKey, userId}: the given user is the agent from the start; the app’s reply confirms it, or replaces a wrong one', async () => {
      const agent = sim.world.agent.id;
      const c = connector(kit.baseUrl, agentKey(), { userId: agent });
      await c.authenticate();
      const full = await drain((cur) => c.backfill(cur));
      const agentLines = full.messages.filter((m) => m.meta?.senderId === agent);
      expect(agentLines.length).toBeGreaterThan(0);
      expect(agentLines.every((m) => m.direction === 'out' && !m.directionInferred)).toBe(true);
      expect(diagnosis(c, 'identity')).toMatchObject({
        confirmed: false,
        reading: expect.stringContaining(`user ${agent}, as given with the API key`),
      });
      await c.send(ref(firstRoomId()), 'confirming', 'k1');
      expect(diagnosis(c, 'identity').confirmed).toBe(true);

      // A wrong user id (a customer's): the sender ChatAPI names on the app's own reply wins.
      const customerId = [...sim.world.users.values()].find((u) => u.id !== agent)!.id;
      const wrong = connector(kit.baseUrl, agentKey(), { userId: customerId });
      await wrong.send(ref(firstRoomId()), 'who am I', 'k2');
      expect(diagnosis(wrong, 'identity')).toMatchObject({
        confirmed: true,
        reading: expect.stringContaining(`replaces user ${customerId}`),
      });
      const read = (await wrong.olderMessages!(ref(firstRoomId()), null)).messages;
      expect(read.find((m) => m.text === 'who am I')).toMatchObject({ direction: 'out' });
    });

    it('GET /rooms/all refused (403): remembered after one try, GET /rooms lists the rooms; diagnostics say which', async () => {
      const c = connector();
      expect(diagnosis(c, 'discovery').confirmed).toBe(false);
      const tries = await countRequests('/rooms/all', async () => {
        const full = await drain((cur) => c.backfill(cur));
        expect(full.conversations.length).toBe(sim.world.rooms.size);
        const { cursor } = await drain((cur) => c.poll(cur));
        await drain((cur) => c.poll(cur), cursor);
      });
      expect(tries).toBe(1);
      expect(diagnosis(c, 'discovery')).toMatchObject({
        confirmed: true,
        reading: expect.stringContaining('GET /rooms only'),
      });
      expect(diagnosis(c, 'contacts').reading).toMatch(strict ? /no participants/ : /participant who is not/);
    });

    it('GET /rooms/all where the key may: a customer’s room the agent is not in appears; a reply joins it once', async () => {
      const w = sim.world;
      w.agent.isAdmin = true;
      const walkIn = w.addUser(w.client.id, {
        email: 'walk.in@example.com',
        username: 'walk.in',
        fullName: 'Walk In',
      });
      const room = w.addRoom(w.client.id, 'Walk In', [walkIn.id]);
      const first = w.addMessage(room, walkIn.id, 'is anyone there?');
      const c = connector();
      const full = await drain((cur) => c.backfill(cur));
      expect(full.conversations.find((conv) => conv.externalId === room.id)?.contact.name).toBe('Walk In');
      expect(full.messages.find((m) => m.externalId === first.id)).toMatchObject({
        direction: 'in',
        conversationExternalId: room.id,
      });
      expect(diagnosis(c, 'discovery')).toMatchObject({
        confirmed: true,
        reading: expect.stringContaining('GET /rooms/all'),
      });
      const joins = await countRequests(`/rooms/${room.id}/join`, () =>
        c.send(ref(room.id), 'Hello, I am here', 'k1'),
      );
      expect(joins).toBe(1);
      expect(room.participants).toContain(w.agent.id);
      expect(kit.sent).toEqual([expect.objectContaining({ to: room.id, text: 'Hello, I am here' })]);
      const again = await countRequests(`/rooms/${room.id}/join`, () =>
        c.send(ref(room.id), 'Anything else?', 'k2'),
      );
      expect(again).toBe(0);
      expect(kit.sent).toHaveLength(2);
    });
  });
});

describe('ChatAPI connector against a variant reading of the document', () => {
  // Numeric ids, pages ascending whatever is asked, no `user` in /clients/me, sort=updated_at refused,
  // no pagination block; the agent is user 1 in every room. Switches: /clients/me refused to the key, no
  // sender field anywhere, the sender as `user_id` and a send answered without the envelope, a /rooms/all
  // that also lists a room whose messages the key may not read (403).
  const seeded = () => [
    { id: 11, room_id: 100, sender_id: 7, content: 'hi from 7', created_at: '2026-01-01T10:00:00Z' },
    { id: 12, room_id: 100, sender_id: 1, content: 'hello 7', created_at: '2026-01-01T10:01:00Z' },
    { id: 13, room_id: 200, sender_id: 8, content: 'hi from 8', created_at: 1767261720 },
  ];
  let messages = seeded();
  const rooms = [
    { id: 100, name: 'Seven', participants: [{ id: 7, username: 'seven' }, { id: 1 }] },
    { id: 200, name: 'Eight', participants: [8, 1] },
  ];
  const closedRoom = { id: 300, name: 'Not yours' };
  const plain = {
    wrongShape: false,
    clientsMe: 'client' as 'client' | 'forbidden' | 'html',
    noSenders: false,
    userIds: false,
    roomsAll: false,
  };
  const variant = { ...plain };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const forbidden = () =>
      send(403, { detail: 'no', error_code: 'INSUFFICIENT_PERMISSIONS', status_code: 403 });
    const view = (m: (typeof messages)[number]) => {
      const { sender_id: sender, ...rest } = m;
      if (variant.noSenders) return rest;
      return variant.userIds ? { ...rest, user_id: sender } : m;
    };
    const page1 = url.searchParams.get('page') === '1';
    if (req.headers.authorization !== 'Bearer variant-key')
      return send(401, { detail: 'bad key', error_code: 'INVALID_CREDENTIALS', status_code: 401 });
    if (url.pathname === '/api/v1/clients/me') {
      if (variant.clientsMe === 'forbidden') return forbidden();
      if (variant.clientsMe === 'html')
        return res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>');
      return send(200, { data: { id: 'c1', name: 'Variant' } });
    }
    if (url.pathname === '/api/v1/rooms/all' && variant.roomsAll)
      return send(200, { data: page1 ? [...rooms, closedRoom] : [] });
    if (url.pathname === '/api/v1/rooms') {
      if (url.searchParams.get('sort') === 'updated_at')
        return send(422, { detail: 'bad sort', error_code: 'VALIDATION_ERROR', status_code: 422 });
      return send(200, variant.wrongShape ? { data: { rooms } } : { data: page1 ? rooms : [] });
    }
    if (url.pathname === '/api/v1/messages' && req.method === 'GET') {
      const roomId = Number(url.searchParams.get('room_id'));
      if (roomId === closedRoom.id) return forbidden();
      return send(200, { data: page1 ? messages.filter((m) => m.room_id === roomId).map(view) : [] });
    }
    if (url.pathname === '/api/v1/messages' && req.method === 'POST') {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const b = JSON.parse(raw) as { room_id: unknown; content: string };
        if (typeof b.room_id !== 'number')
          return send(422, {
            detail: 'room_id must be a number',
            error_code: 'VALIDATION_ERROR',
            status_code: 422,
          });
        const m = {
          id: 11 + messages.length,
          room_id: b.room_id,
          sender_id: 1,
          content: b.content,
          created_at: new Date().toISOString(),
        };
        messages.push(m);
        send(201, variant.userIds ? view(m) : { data: view(m), status: 'success' });
      });
      return;
    }
    send(404, { detail: 'not found', error_code: 'RESOURCE_NOT_FOUND', status_code: 404 });
  });
  beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    messages = seeded();
    Object.assign(variant, plain);
  });
  const variantUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const refOf = (conv: { externalId: string; meta?: Record<string, unknown> }) => ({
    externalId: conv.externalId,
    contactExternalId: '',
    meta: conv.meta ?? {},
  });

  it('syncs with nobody named as the agent: all inferred inbound, rooms as contacts; the reply’s sender settles it; room ids go back as given', async () => {
    const c = connector(variantUrl(), 'variant-key');
    await c.authenticate();
    const full = await drain((cur) => c.backfill(cur));
    // Until something says which participant is the agent, the room is the contact.
    expect(full.conversations.map((conv) => [conv.externalId, conv.contact.externalId])).toEqual([
      ['100', 'room:100'],
      ['200', 'room:200'],
    ]);
    expect(full.messages.map((m) => [m.externalId, m.direction, m.directionInferred])).toEqual([
      ['11', 'in', true],
      ['12', 'in', true],
      ['13', 'in', true],
    ]);
    expect(full.messages[2].createdAt).toBe('2026-01-01T10:02:00.000Z');
    const sent = await c.send(refOf(full.conversations[0]), 'numeric room', 'k');
    expect(sent.externalId).toBe('14');
    expect(diagnosis(c, 'identity')).toMatchObject({
      confirmed: true,
      reading: expect.stringContaining('user 1,'),
    });
    // Without activity in the room list, polls re-read one room per round: nothing new is invented.
    const polled = await drain((cur) => c.poll(cur));
    expect(polled.messages.map((m) => [m.text, m.direction])).toEqual([['numeric room', 'out']]);
    expect(polled.conversations.map((conv) => [conv.externalId, conv.contact.externalId])).toEqual([
      ['100', '7'],
      ['200', '8'],
    ]);
    const next = await drain((cur) => c.poll(cur), polled.cursor);
    expect(next.messages.every((m) => ['11', '12', '13', '14'].includes(m.externalId))).toBe(true);
    expect(next.messages.filter((m) => m.externalId === '12').every((m) => m.direction === 'out')).toBe(true);
  });

  it('/clients/me refused to the key (or not JSON) and no sender anywhere: the key is checked on the rooms, every message is inferred inbound, findSent still finds the reply', async () => {
    Object.assign(variant, { clientsMe: 'forbidden', noSenders: true });
    await connector(variantUrl(), 'variant-key').authenticate();
    variant.clientsMe = 'html';
    await connector(variantUrl(), 'variant-key').authenticate();
    variant.clientsMe = 'forbidden';
    expect(
      await connector(variantUrl(), 'wrong-key')
        .authenticate()
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'auth', status: 401 });
    const c = connector(variantUrl(), 'variant-key');
    const full = await drain((cur) => c.backfill(cur));
    expect(full.messages.every((m) => m.direction === 'in' && m.directionInferred)).toBe(true);
    const since = new Date(Date.now() - 1000).toISOString();
    const sent = await c.send(refOf(full.conversations[1]), 'no sender here', 'k');
    expect(diagnosis(c, 'identity')).toMatchObject({
      confirmed: false,
      reading: expect.stringContaining("this app's 1 replies named no sender"),
    });
    expect(await c.findSent(refOf(full.conversations[1]), 'no sender here', since)).toEqual([sent]);
  });

  it('the sender as user_id and a send answered without the envelope: the reply is confirmed and shows who the agent is', async () => {
    variant.userIds = true;
    const c = connector(variantUrl(), 'variant-key');
    const full = await drain((cur) => c.backfill(cur));
    const sent = await c.send(refOf(full.conversations[0]), 'bare answer', 'k');
    expect(sent.externalId).toBe('14');
    expect(diagnosis(c, 'identity').confirmed).toBe(true);
    const read = (await c.olderMessages!(refOf(full.conversations[0]), null)).messages;
    expect(read.map((m) => [m.externalId, m.direction])).toEqual([
      ['11', 'in'],
      ['12', 'out'],
      ['14', 'out'],
    ]);
  });

  it('/rooms/all lists a room whose messages the key may not read: listed without history, the rest syncs', async () => {
    variant.roomsAll = true;
    const c = connector(variantUrl(), 'variant-key');
    const full = await drain((cur) => c.backfill(cur));
    expect(full.conversations.map((conv) => conv.externalId)).toEqual(['100', '200', '300']);
    expect(full.messages.map((m) => m.externalId)).toEqual(['11', '12', '13']);
    expect(full.batches.flatMap((b) => b.historyComplete ?? [])).not.toContain('300');
    expect(diagnosis(c, 'discovery').reading).toMatch(/GET \/rooms\/all.*1 listed room\(s\) refuse/);
  });

  it('a list of the wrong shape is malformed, not partial data', async () => {
    variant.wrongShape = true;
    const err = await connector(variantUrl(), 'variant-key')
      .backfill(null)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'malformed', message: expect.stringContaining('GET /rooms') });
  });
});
