// InstantChat: the simulator against the document, and the connector against the simulator (real HTTP
// and socket.io on 127.0.0.1). Every test starts from a fresh world and fresh rate-limit windows.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { SimKit } from '../../main/providers/simkit';
import { ProviderError } from '../../main/providers/http';
import { arr, obj, type Json } from '../../main/providers/parse';
import type { ConversationRef, RealtimeEvent, RemoteMessage, SyncBatch } from '../../main/providers/types';
import { createSimulator, WEBHOOK_VERIFY_TOKEN } from '../../main/providers/instantchat/simulator';
import { createConnector } from '../../main/providers/instantchat/connector';

const sim = createSimulator({ seed: 1 });
const kit = new SimKit(sim);
let conn: ReturnType<typeof createConnector>;

const context = (over: Partial<Parameters<typeof createConnector>[0]> = {}) => ({
  baseUrl: kit.baseUrl,
  credentials: sim.credentials(),
  webhookUrl: 'http://127.0.0.1:9/webhooks/instantchat',
  webhookSecret: 'not-used',
  ...over,
});

beforeAll(() => kit.listen());
afterAll(() => kit.close());
beforeEach(() => {
  kit.reset();
  conn = createConnector(context());
});
afterEach(() => conn.close());

interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

async function api(
  method: string,
  path: string,
  o: { token?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(kit.origin + path, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text answers (the webhook challenge)
  }
  return { status: res.status, headers: res.headers, body: obj(body), text };
}

async function login(): Promise<string> {
  const res = await api('POST', '/api/auth/login', { body: sim.credentials() });
  expect(res.status).toBe(200);
  return String(res.body.token);
}

const expectError = (res: Answer, status: number, error: string) => {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ success: false, error });
  expect(typeof res.body.message === 'string' || typeof res.body.details === 'object').toBe(true);
};

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function drain(step: (cursor: string | null) => Promise<SyncBatch>, cursor: string | null = null) {
  const batches: SyncBatch[] = [];
  for (;;) {
    const b = await step(cursor);
    batches.push(b);
    cursor = b.cursor;
    if (b.done)
      return {
        batches,
        cursor,
        messages: batches.flatMap((x) => x.messages),
        conversations: batches.flatMap((x) => x.conversations),
      };
  }
}

async function simCounts() {
  const token = await login();
  const convs = arr((await api('GET', '/api/messages/instagram', { token })).body.conversations).map(obj);
  let messages = 0;
  for (const c of convs)
    messages += arr((await api('GET', `/api/messages/instagram/${c.id}`, { token })).body.messages).length;
  return { conversations: convs, messages };
}

const isIso = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

describe('document examples replayed against the simulator', () => {
  it('signup, login and verify answer the documented shapes', async () => {
    const signup = await api('POST', '/api/auth/signup', {
      body: { username: 'newuser', email: 'newuser@example.com', password: 'password123' },
    });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({
      success: true,
      token: expect.any(String),
      user: {
        id: expect.any(String),
        username: 'newuser',
        email: 'newuser@example.com',
        createdAt: expect.any(String),
      },
    });
    const again = await api('POST', '/api/auth/login', {
      body: { username: 'newuser', password: 'password123' },
    });
    expect(again.body).toMatchObject({
      success: true,
      token: expect.any(String),
      user: { username: 'newuser' },
    });
    const verify = await api('GET', '/api/auth/verify', { token: String(again.body.token) });
    expect(verify.body).toMatchObject({
      success: true,
      user: { id: expect.any(String), username: 'newuser', email: expect.any(String) },
    });
    // A fresh account has no Instagram connected and no conversations.
    const status = await api('GET', '/api/instagram/status', { token: String(again.body.token) });
    expect(status.body).toMatchObject({ success: true, connected: false });
    expect(
      (await api('GET', '/api/messages/instagram', { token: String(again.body.token) })).body.conversations,
    ).toEqual([]);
  });

  it('profile, Instagram status, conversations and chat messages', async () => {
    const token = await login();
    const profile = (await api('GET', '/api/user/profile', { token })).body;
    expect(profile).toMatchObject({
      success: true,
      profile: {
        id: expect.any(String),
        username: expect.any(String),
        email: expect.any(String),
        fullName: expect.any(String),
      },
    });
    const status = (await api('GET', '/api/instagram/status', { token })).body;
    expect(status).toMatchObject({
      success: true,
      connected: true,
      username: expect.any(String),
      pageId: expect.any(String),
    });
    expect(isIso(status.lastSync)).toBe(true);

    const list = await api('GET', '/api/messages/instagram', { token });
    expect(list.status).toBe(200);
    const convs = arr(list.body.conversations).map(obj);
    expect(convs.length).toBe(20);
    for (const c of convs) {
      expect(c).toMatchObject({
        id: expect.any(String),
        instagramUserId: expect.any(String),
        username: expect.any(String),
        fullName: expect.any(String),
        lastMessage: expect.any(String),
        unreadCount: expect.any(Number),
        avatar: expect.any(String),
      });
      expect(isIso(c.timestamp)).toBe(true);
    }
    expect(new Set(convs.map((c) => c.fullName)).size).toBeGreaterThan(5);

    const msgs = arr(
      (await api('GET', `/api/messages/instagram/${convs[0].id}`, { token })).body.messages,
    ).map(obj);
    expect(msgs.length).toBeGreaterThan(0);
    for (const m of msgs)
      expect(m).toMatchObject({
        id: expect.any(String),
        sender: expect.any(String),
        content: expect.any(String),
        isFromUser: expect.any(Boolean),
        isInstagram: expect.any(Boolean),
      });
    const times = msgs.map((m) => String(m.timestamp));
    expect([...times].sort()).toEqual(times);
    expect(msgs[msgs.length - 1].content).toBe(convs[0].lastMessage);
  });

  it('send-message answers messageId and timestamp and is logged once', async () => {
    const token = await login();
    const conv = obj(arr((await api('GET', '/api/messages/instagram', { token })).body.conversations)[0]);
    const res = await api('POST', '/api/instagram/send-message', {
      token,
      body: { recipientId: conv.instagramUserId, message: 'Hello! How can I help you today?' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messageId: expect.any(String) });
    expect(isIso(res.body.timestamp)).toBe(true);
    expect(kit.sent).toEqual([
      { to: conv.instagramUserId, text: 'Hello! How can I help you today?', at: expect.any(String) },
    ]);
    const msgs = arr((await api('GET', `/api/messages/instagram/${conv.id}`, { token })).body.messages).map(
      obj,
    );
    expect(msgs[msgs.length - 1]).toMatchObject({ id: res.body.messageId, sender: 'you', isFromUser: true });
  });

  it('flows: save, load by name, list, toggle, test, delete', async () => {
    const token = await login();
    const example = {
      name: 'Customer Support Flow',
      description: 'Automated responses for common questions',
      nodes: [
        { id: 'start_1', type: 'startNode', position: { x: 100, y: 100 }, data: { label: 'Start' } },
        {
          id: 'message_1',
          type: 'messageNode',
          position: { x: 300, y: 100 },
          data: { label: 'Welcome Message', content: 'Hello! How can I help you today?' },
        },
      ],
      edges: [{ id: 'edge_1', source: 'start_1', target: 'message_1', type: 'default' }],
    };
    const saved = await api('POST', '/api/flow/save', { token, body: { ...example, name: 'Doc Flow' } });
    expect(saved.body).toMatchObject({
      success: true,
      message: 'Flow saved successfully',
      flowId: expect.any(String),
    });
    const flowId = String(saved.body.flowId);
    const loaded = await api('GET', `/api/flow/get/${encodeURIComponent('Doc Flow')}`, { token });
    expect(loaded.body).toMatchObject({
      success: true,
      flow: {
        id: flowId,
        name: 'Doc Flow',
        nodes: example.nodes,
        edges: example.edges,
        isActive: expect.any(Boolean),
      },
    });
    const flows = arr((await api('GET', '/api/flow/user', { token })).body.flows).map(obj);
    expect(flows.find((f) => f.id === flowId)).toMatchObject({
      name: 'Doc Flow',
      description: example.description,
      isActive: expect.any(Boolean),
    });
    const before = Boolean(obj(loaded.body.flow).isActive);
    const toggled = await api('PATCH', `/api/flow/${flowId}/toggle`, { token });
    expect(toggled.body).toEqual({ success: true, message: 'Flow status updated', isActive: !before });
    const tested = await api('POST', `/api/flow/${flowId}/test`, {
      token,
      body: { input: 'Hello, I need help with my order' },
    });
    expect(tested.body).toEqual({
      success: true,
      result: {
        executed: true,
        output: 'Hello! How can I help you today?',
        stepsExecuted: 2,
        executionTime: '45ms',
      },
    });
    expect((await api('DELETE', `/api/flow/${flowId}`, { token })).body).toEqual({
      success: true,
      message: 'Flow deleted successfully',
    });
    expectError(await api('GET', '/api/flow/get/Doc%20Flow', { token }), 404, 'Resource not found');
  });

  it('Instagram webhook: verification handshake and message events', async () => {
    const ok = await api(
      'GET',
      `/api/webhook/instagram?hub.mode=subscribe&hub.verify_token=${WEBHOOK_VERIFY_TOKEN}&hub.challenge=challenge_string`,
    );
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('challenge_string');
    expectError(
      await api('GET', '/api/webhook/instagram?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=x'),
      403,
      'Forbidden',
    );

    const event = {
      object: 'instagram',
      entry: [
        {
          id: '123456789',
          time: 1640995200,
          messaging: [
            {
              sender: { id: '123456789' },
              recipient: { id: '987654321' },
              timestamp: 1640995200,
              message: { mid: 'mid_123456789', text: 'Hello, I need help' },
            },
          ],
        },
      ],
    };
    for (let i = 0; i < 2; i++)
      // Instagram redelivers: the second delivery must not duplicate
      expect((await api('POST', '/api/webhook/instagram', { body: event })).body).toEqual({
        success: true,
        message: 'Webhook processed successfully',
      });
    const token = await login();
    const conv = arr((await api('GET', '/api/messages/instagram', { token })).body.conversations)
      .map(obj)
      .find((c) => c.instagramUserId === '123456789');
    expect(conv).toMatchObject({ lastMessage: 'Hello, I need help', unreadCount: 1 });
    const msgs = arr((await api('GET', `/api/messages/instagram/${conv?.id}`, { token })).body.messages);
    expect(msgs).toEqual([
      expect.objectContaining({ id: 'mid_123456789', content: 'Hello, I need help', isFromUser: false }),
    ]);
  });
});

describe('simulator errors, limits and pagination', () => {
  it('missing, wrong and expired tokens are 401 in the documented envelope', async () => {
    expectError(await api('GET', '/api/messages/instagram'), 401, 'Authentication failed');
    expectError(
      await api('GET', '/api/messages/instagram', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.bad' }),
      401,
      'Authentication failed',
    );
    const token = await login();
    expect((await api('GET', '/api/user/profile', { token })).status).toBe(200);
    sim.expireTokens();
    const expired = await api('GET', '/api/user/profile', { token });
    expectError(expired, 401, 'Authentication failed');
    expect(expired.body.message).toBe('Invalid or expired token');
  });

  it('bad credentials, missing fields and invalid JSON', async () => {
    expectError(
      await api('POST', '/api/auth/login', {
        body: { username: 'support@instantchat.test', password: 'nope' },
      }),
      401,
      'Authentication failed',
    );
    const missing = await api('POST', '/api/auth/login', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      success: false,
      error: 'Validation failed',
      details: { username: expect.any(String), password: expect.any(String) },
    });
    expectError(await api('POST', '/api/auth/login', { raw: '{"username":' }), 400, 'Validation failed');
    const bad = await api('POST', '/api/auth/signup', {
      body: { username: '', email: 'not-an-email', password: '1' },
    });
    expect(bad.body).toMatchObject({
      error: 'Validation failed',
      details: { username: 'Username is required', email: 'Invalid email format' },
    });

    const token = await login();
    const send = await api('POST', '/api/instagram/send-message', {
      token,
      body: { recipientId: '', message: '' },
    });
    expect(send.body).toMatchObject({
      success: false,
      error: 'Validation failed',
      details: { recipientId: expect.any(String), message: expect.any(String) },
    });
    expectError(
      await api('POST', '/api/instagram/send-message', {
        token,
        body: { recipientId: '999', message: 'hi' },
      }),
      404,
      'Resource not found',
    );
    expectError(await api('GET', '/api/messages/instagram/conv_nope', { token }), 404, 'Resource not found');
    const flow = await api('PATCH', '/api/flow/123/toggle', { token });
    expectError(flow, 404, 'Resource not found');
    expect(flow.body.message).toBe("Flow with id '123' not found");
    expectError(await api('GET', '/api/nothing/here', { token }), 404, 'Resource not found');
  });

  it('lists are not paginated: page and size parameters change nothing', async () => {
    const token = await login();
    const full = await api('GET', '/api/messages/instagram', { token });
    const paged = await api('GET', '/api/messages/instagram?page=999&limit=1', { token });
    expect(paged.body).toEqual(full.body);
    const id = obj(arr(full.body.conversations)[0]).id;
    const msgs = await api('GET', `/api/messages/instagram/${id}?page=0&limit=100000`, { token });
    expect(arr(msgs.body.messages).length).toBeGreaterThan(0);
  });

  it('auth endpoints allow 5 requests per minute, then 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await api('POST', '/api/auth/login', { body: { username: 'guesser', password: 'x' } })).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await api('POST', '/api/auth/login', { body: { username: 'guesser', password: 'x' } });
    expectError(limited, 429, 'Too many requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('API endpoints allow 100 requests per minute per user', async () => {
    const token = await login();
    const statuses = await Promise.all(
      Array.from({ length: 101 }, () => api('GET', '/api/flow/user', { token }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('faults: down, latency, error rate, 429 storm', async () => {
    const token = await login();
    kit.setFaults({ down: true });
    expect((await api('GET', '/api/user/profile', { token })).status).toBe(503);
    kit.setFaults({ down: false, latencyMs: 200 });
    const t0 = Date.now();
    expect((await api('GET', '/api/user/profile', { token })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    kit.setFaults({ latencyMs: 0, errorRate: 1 });
    expectError(await api('GET', '/api/user/profile', { token }), 500, 'Internal server error');
    kit.setFaults({ errorRate: 0, rateLimit: true });
    const storm = await api('GET', '/api/user/profile', { token });
    expectError(storm, 429, 'Too many requests');
    expect(storm.headers.get('retry-after')).toBe('1');
  });
});

describe('connector: auth and faults', () => {
  it('declares honest capabilities and the documented limits', async () => {
    expect(conn.capabilities).toMatchObject({
      realtime: 'socket.io',
      broadcast: 'fanout',
      flows: 'toggle',
      flowTest: true,
      templates: false,
      markRead: false,
    });
    expect(Object.keys(conn.capabilities.unavailable)).toEqual(
      expect.arrayContaining(['templates', 'markRead']),
    );
    for (let i = 0; i < 100; i++) await conn.http.limiter.take();
    expect(conn.http.limiter.delay()).toBeGreaterThan(55_000);
  });

  it('authenticate() throws an auth error on a wrong password', async () => {
    const bad = createConnector(
      context({ credentials: { username: 'support@instantchat.test', password: 'wrong' } }),
    );
    const err = await bad.authenticate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'auth', message: expect.stringMatching(/username or password/) });
    await expect(conn.authenticate()).resolves.toBeUndefined();
  });

  it('logs in again when the token expires or is revoked, and carries on', async () => {
    await conn.authenticate();
    sim.expireTokens();
    expect((await conn.poll(null)).conversations.length).toBe(20);
    kit.setFaults({ tokenTtlSec: 1 });
    sim.expireTokens();
    await conn.poll(null); // logs in and gets a 1-second token
    await new Promise((r) => setTimeout(r, 2100));
    expect((await conn.listFlows()).length).toBe(3);
  });

  it('surfaces down, server errors and malformed answers as ProviderErrors', async () => {
    await conn.authenticate();
    kit.setFaults({ down: true });
    await expect(conn.poll(null)).rejects.toMatchObject({ kind: 'server', status: 503 });
    kit.setFaults({ down: false, errorRate: 1 });
    await expect(conn.poll(null)).rejects.toMatchObject({ kind: 'server', status: 500 });
    kit.setFaults({ errorRate: 0, malformed: 1 });
    await expect(conn.poll(null)).rejects.toMatchObject({ kind: 'malformed' });
    kit.setFaults({ malformed: 0, latencyMs: 150 });
    expect((await conn.listFlows()).length).toBe(3);
  });

  it('waits out a 429 storm instead of failing', async () => {
    await conn.authenticate();
    kit.setFaults({ rateLimit: true });
    setTimeout(() => kit.setFaults({ rateLimit: false }), 1200);
    expect((await conn.listFlows()).length).toBe(3);
  });

  it('rejects answers of the wrong shape with ProviderError malformed', async () => {
    const odd = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/api/auth/login'
            ? { success: true, token: 't' }
            : { success: true, conversations: 'none', flows: {} },
        ),
      );
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const c = createConnector(
      context({ baseUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}` }),
    );
    try {
      await expect(c.poll(null)).rejects.toMatchObject({
        kind: 'malformed',
        message: expect.stringContaining('/api/messages/instagram'),
      });
      await expect(c.listFlows()).rejects.toMatchObject({ kind: 'malformed' });
    } finally {
      await c.close();
      odd.close();
    }
  });

  it('under a tightened limit (5/min) it waits instead of failing and never sends more than allowed', async () => {
    kit.setFaults({ rateLimit: 5 });
    const [c] = (await conn.backfill(null)).conversations; // 1 request (logging in is counted separately)
    const target: ConversationRef = {
      externalId: c.externalId,
      contactExternalId: c.contact.externalId,
      meta: c.meta ?? {},
    };
    let settled = false;
    // Left waiting for the window when the test ends: it must not fail meanwhile.
    void (async () => {
      for (let i = 0; i < 6; i++) await conn.send(target, `limited ${i}`, `k${i}`);
    })()
      .catch(() => undefined)
      .finally(() => (settled = true));
    await until(() => kit.sent.length === 4, 2000, '4 sends');
    await new Promise((r) => setTimeout(r, 1200));
    expect(kit.sent.length).toBe(4); // 1 list + 4 sends = the 5 allowed
    expect(settled).toBe(false);
    expect(conn.http.limiter.delay()).toBeGreaterThan(30_000);
  });
});

describe('connector against the simulator', () => {
  it('a full backfill equals the simulator state, newest first, resumable without re-downloading', async () => {
    const truth = await simCounts();
    const first = await conn.backfill(null);
    expect(first.conversations.map((c) => c.externalId)).toEqual(
      truth.conversations.map((c) => String(c.id)),
    );
    const times = first.conversations.map((c) => c.lastActivityAt);
    expect([...times].sort().reverse()).toEqual(times);
    // Interrupted after the second step; a new connector (after a restart) resumes from the stored cursor.
    const second = await conn.backfill(first.cursor);
    const restarted = createConnector(context());
    const resumed = await drain((c) => restarted.backfill(c), second.cursor);
    await restarted.close();
    const fetchedBefore = new Set(second.messages.map((m) => m.conversationExternalId)).size;
    expect(restarted.http.limiter.sent).toBe(truth.conversations.length - fetchedBefore); // one request per remaining conversation
    const messages = [...second.messages, ...resumed.messages];
    expect(messages.length).toBe(truth.messages);
    expect(new Set(messages.map((m) => m.externalId)).size).toBe(messages.length);
    const c0 = first.conversations[0];
    expect(c0.contact).toMatchObject({
      platform: 'instagram',
      name: expect.any(String),
      handle: expect.any(String),
    });
    expect(c0.meta?.instagramUserId).toEqual(expect.any(String));
    for (const m of messages) {
      expect(['in', 'out']).toContain(m.direction);
      expect(m.status).toBe(m.direction === 'in' ? 'received' : 'sent');
      expect(isIso(m.createdAt)).toBe(true);
    }
  });

  it('poll: cheap when nothing changed; picks up inbound, replies and new contacts', async () => {
    const base = await conn.poll(null);
    expect(base.done).toBe(true);
    let sent = conn.http.limiter.sent;
    const quiet = await conn.poll(base.cursor);
    expect(quiet).toMatchObject({ conversations: [], messages: [], done: true });
    expect(conn.http.limiter.sent - sent).toBe(1);

    const known = base.conversations[3];
    const a = sim.inbound({ contact: { handle: known.contact.handle }, text: 'Is anyone there? 🙂' });
    const b = sim.inbound({ contact: { name: 'Zoë Ωmega', handle: 'zoe.omega' }, text: 'Первое сообщение' });
    sent = conn.http.limiter.sent;
    const next = await conn.poll(quiet.cursor);
    expect(conn.http.limiter.sent - sent).toBe(3); // list + the two changed conversations
    expect(next.conversations.map((c) => c.externalId).sort()).toEqual(
      [a.conversationId, b.conversationId].sort(),
    );
    expect(next.conversations.find((c) => c.externalId === b.conversationId)?.contact).toMatchObject({
      name: 'Zoë Ωmega',
      handle: 'zoe.omega',
    });
    const inbound = next.messages.filter(
      (m) => m.externalId.endsWith(`/${a.messageId}`) || m.externalId.endsWith(`/${b.messageId}`),
    );
    expect(inbound.map((m) => [m.conversationExternalId, m.text, m.direction])).toEqual(
      expect.arrayContaining([
        [a.conversationId, 'Is anyone there? 🙂', 'in'],
        [b.conversationId, 'Первое сообщение', 'in'],
      ]),
    );

    // An agent reply made elsewhere (another client) shows up as an outbound message.
    const token = await login();
    const newConv = next.conversations.find((c) => c.externalId === b.conversationId);
    await api('POST', '/api/instagram/send-message', {
      token,
      body: { recipientId: newConv?.meta?.instagramUserId, message: 'Здравствуйте!' },
    });
    const after = await conn.poll(next.cursor);
    expect(after.messages.filter((m) => m.direction === 'out' && m.text === 'Здравствуйте!')).toHaveLength(1);
    expect(after.conversations[0]).toMatchObject({ externalId: b.conversationId, unreadCount: 0 });
  });

  it('send delivers exactly once; findSent finds it with the same externalId', async () => {
    const { conversations } = await conn.backfill(null);
    const c = conversations[1];
    const ref: ConversationRef = {
      externalId: c.externalId,
      contactExternalId: c.contact.externalId,
      meta: c.meta ?? {},
    };
    const since = new Date(Date.now() - 1000).toISOString();
    const sent = await conn.send(ref, 'Your refund is on its way 💸', 'key-1');
    expect(kit.sent).toEqual([
      { to: c.meta?.instagramUserId, text: 'Your refund is on its way 💸', at: expect.any(String) },
    ]);
    expect(sent.status).toBe('sent');
    expect(await conn.findSent(ref, 'Your refund is on its way 💸', since)).toEqual([sent]);
    expect(await conn.findSent(ref, 'something else', since)).toEqual([]);
    expect(
      await conn.findSent(ref, 'Your refund is on its way 💸', new Date(Date.now() + 60_000).toISOString()),
    ).toEqual([]);
    const polled = (await conn.poll(null)).messages.find((m) => m.externalId === sent.externalId);
    expect(polled).toMatchObject({ direction: 'out', text: 'Your refund is on its way 💸' });
    await expect(conn.send({ ...ref, meta: {} }, 'x', 'key-2')).rejects.toMatchObject({ kind: 'client' });
    expect(kit.sent).toHaveLength(1);
  });

  it('externalIds are stable across backfill, poll and realtime, so duplicates collapse', async () => {
    const events: RealtimeEvent[] = [];
    const states: string[] = [];
    await conn.subscribe({ onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
    await until(() => states.includes('live'), 3000, 'live');

    const backfilled = (await drain((c) => conn.backfill(c))).messages;
    const { conversationId, messageId } = sim.inbound({
      contact: { handle: 'zoe.omega', name: 'Zoë' },
      text: 'hello in realtime',
    });
    const t0 = Date.now();
    const isIt = (e: RealtimeEvent) =>
      e.kind === 'message' && e.message.externalId === `${conversationId}/${messageId}`;
    await until(() => events.some(isIt), 1000, 'realtime message');
    expect(Date.now() - t0).toBeLessThan(1000);
    const live = events.find(isIt);
    expect(live).toMatchObject({
      message: { direction: 'in', text: 'hello in realtime', conversationExternalId: conversationId },
      conversation: { externalId: conversationId },
    });

    const polledTwice = [...(await conn.poll(null)).messages, ...(await conn.poll(null)).messages];
    const all: RemoteMessage[] = [
      ...backfilled,
      ...polledTwice,
      ...events.flatMap((e) => (e.kind === 'message' ? [e.message] : [])),
    ];
    const byId = new Map<string, RemoteMessage>();
    for (const m of all.reverse()) {
      const seen = byId.get(m.externalId);
      if (seen) expect({ ...m, meta: undefined }).toEqual({ ...seen, meta: undefined });
      byId.set(m.externalId, m);
    }
    expect(byId.size).toBe((await simCounts()).messages);

    // Our own sends come back through the socket as outbound messages with the same externalId.
    const conv = (await conn.poll(null)).conversations.find((c) => c.externalId === conversationId);
    const sent = await conn.send(
      { externalId: conversationId, contactExternalId: '', meta: conv?.meta ?? {} },
      'on it!',
      'k',
    );
    await until(
      () => events.some((e) => e.kind === 'message' && e.message.externalId === sent.externalId),
      1000,
      'outbound echo',
    );
  });

  it('realtime reconnects after the provider drops, and logs in again when the token expired', async () => {
    const events: RealtimeEvent[] = [];
    const states: string[] = [];
    await conn.subscribe({ onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
    await until(() => states.at(-1) === 'live', 3000, 'live');
    kit.setFaults({ down: true });
    await until(() => states.at(-1) === 'down', 2000, 'down');
    kit.setFaults({ down: false });
    await until(() => states.at(-1) === 'live', 5000, 'live again');
    expect(events.some((e) => e.kind === 'resync')).toBe(true);

    sim.expireTokens();
    sim.dropRealtime();
    await until(() => states.at(-1) === 'down', 2000, 'down after drop');
    await until(() => states.at(-1) === 'live', 5000, 'live with a new token');
    const { messageId } = sim.inbound({ text: 'after reconnect' });
    await until(
      () => events.some((e) => e.kind === 'message' && e.message.externalId.endsWith(`/${messageId}`)),
      1000,
      'message',
    );
  });

  it('flows: list, switch on/off only when needed (the endpoint toggles), test', async () => {
    const flows = await conn.listFlows();
    expect(flows.map((f) => [f.name, f.active])).toEqual([
      ['Customer Support Flow', true],
      ['Order Status', false],
      ['Welcome New Followers', true],
    ]);
    const support = flows[0];
    let sent = conn.http.limiter.sent;
    expect(await conn.setFlowActive(support.externalId, true)).toMatchObject({
      externalId: support.externalId,
      active: true,
    });
    expect(conn.http.limiter.sent - sent).toBe(1); // read only, no toggle
    sent = conn.http.limiter.sent;
    expect(await conn.setFlowActive(support.externalId, false)).toMatchObject({ active: false });
    expect(conn.http.limiter.sent - sent).toBe(2);
    expect((await conn.listFlows())[0].active).toBe(false);
    await expect(conn.setFlowActive('nope', true)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await conn.testFlow(flows[1].externalId, 'where is my order?')).toMatchObject({
      output:
        'Thanks for your message! 📦\nPlease send us your order number and we will check it right away.',
      steps: 3,
    });
  });
});
