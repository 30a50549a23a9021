// Chatbots Platform: the simulator replayed against the document's examples, its errors and faults, and
// the connector against the simulator in both its modes (default and strict), and against another reading of
// the document. Real HTTP on 127.0.0.1 throughout. About 25 s, most of it waiting on purpose (429 storms,
// outages, token lifetimes), once per mode.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../main/providers/chatbots-platform/connector';
import {
  createSimulator,
  SIM_API_KEY,
  SIM_PASSWORD,
  SIM_USERNAME,
} from '../../main/providers/chatbots-platform/simulator';
import { ProviderError } from '../../main/providers/http';
import { SimKit } from '../../main/providers/simkit';
import type { ConversationRef, RemoteConversation } from '../../main/domain/remote';
import type {
  ConnectorContext,
  ProviderConnector,
  RealtimeEvent,
  WebhookRequest,
} from '../../main/providers/types';
import { caught } from '../helpers/provider-error';
import { SIM_MODES } from '../helpers/sim-modes';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test

const SECRET = 'whsec_test_secret';
const KEY = { 'x-api-key': SIM_API_KEY };

async function startKit(o: Parameters<typeof createSimulator>[0] = { seed: 1 }): Promise<SimKit> {
  const kit = new SimKit(createSimulator(o));
  await kit.listen();
  return kit;
}

/** One raw request, as the document's examples make them. */
async function api(
  kit: SimKit,
  method: string,
  path: string,
  o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Body }> {
  const hasBody = o.body !== undefined || o.raw !== undefined;
  const res = await fetch(kit.origin + path, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...o.headers },
    body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function login(kit: SimKit): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  const res = await api(kit, 'POST', '/api/auth/login', {
    body: { username: SIM_USERNAME, password: SIM_PASSWORD },
  });
  return res.body.data;
}

function expectError(res: { status: number; body: Body }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ status: 'error', error: { code: status, message: expect.any(String) } });
  expect(Array.isArray(res.body.error.details)).toBe(true);
}

function connect(kit: SimKit, o: Partial<ConnectorContext> = {}): ProviderConnector {
  return createConnector({
    baseUrl: kit.baseUrl,
    credentials: kit.sim.credentials(),
    webhookUrl: 'http://127.0.0.1:9/unused',
    webhookSecret: SECRET,
    ...o,
  });
}

async function waitFor<T>(f: () => T | undefined | null | false, ms = 1000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function backfillAll(c: ProviderConnector, cursor: string | null = null) {
  const conversations: RemoteConversation[] = [];
  const messages: string[] = [];
  for (let i = 0; i < 60; i++) {
    const b = await c.backfill(cursor);
    conversations.push(...b.conversations);
    messages.push(...b.messages.map((x) => x.externalId));
    cursor = b.cursor;
    if (b.done) break;
  }
  return {
    conversations: conversations.map((x) => x.externalId),
    activity: conversations.map((x) => x.lastActivityAt),
    messages,
  };
}

/** The simulator's state as its own API reports it. */
async function simTotals(kit: SimKit): Promise<{ conversations: number; messages: number }> {
  const res = await api(kit, 'GET', '/api/v1/conversations?pageSize=100', { headers: KEY });
  const items: Body[] = res.body.data.items;
  return {
    conversations: res.body.data.pagination.total,
    messages: items.reduce((n, c) => n + c.messageCount, 0),
  };
}

const ref = (externalId: string): ConversationRef => ({ externalId, contactExternalId: '', meta: {} });

/** A local endpoint that hands deliveries to a connector's handleWebhook, as the app's server does. */
async function webhookReceiver(connector: () => ProviderConnector) {
  const events: RealtimeEvent[] = [];
  const deliveries: WebhookRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const delivery: WebhookRequest = {
      headers: req.headers,
      query: {},
      rawBody: Buffer.concat(chunks),
      method: 'POST',
    };
    deliveries.push(delivery);
    try {
      events.push(...(connector().handleWebhook?.(delivery).events ?? []));
      res.writeHead(200).end();
    } catch {
      res.writeHead(401).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/chatbots`,
    events,
    deliveries,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function rejectionOf(f: () => unknown): ProviderError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error('expected a rejection');
}

const signed = (payload: object, secret = SECRET) => ({
  ...payload,
  signature: 'sha256=' + createHmac('sha256', secret).update(JSON.stringify(payload)).digest('hex'),
});

const delivery = (body: unknown, headers: Record<string, string> = {}): WebhookRequest => ({
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  method: 'POST',
});

describe('chatbots-platform simulator: the document examples', () => {
  let kit: SimKit;
  beforeAll(async () => {
    kit = await startKit();
  });
  afterAll(() => kit.close());

  it('POST /api/auth/login answers {status, data: {accessToken, refreshToken, expiresIn}}', async () => {
    const res = await api(kit, 'POST', '/api/auth/login', {
      body: { username: SIM_USERNAME, password: SIM_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    const { accessToken, refreshToken, expiresIn } = res.body.data;
    expect(accessToken.split('.')).toHaveLength(3); // a JWT
    expect(typeof refreshToken).toBe('string');
    expect(expiresIn).toBe(3600);
  });

  it('GET /api/chatbots with a Bearer token or X-API-KEY: the paginated envelope and rate-limit headers', async () => {
    const { accessToken } = await login(kit);
    for (const headers of [{ authorization: `Bearer ${accessToken}` }, KEY]) {
      const res = await api(kit, 'GET', '/api/chatbots', { headers });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('success');
      expect(res.body.data.items).toHaveLength(3);
      expect(res.body.data.pagination).toEqual({
        total: 3,
        page: 1,
        pageSize: 10,
        pages: 1,
        next: null,
        prev: null,
      });
      expect(res.headers.get('x-ratelimit-limit')).toBe('100');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(100);
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('POST /api/auth/refresh rotates the pair; the old refresh token is refused', async () => {
    const first = await login(kit);
    const res = await api(kit, 'POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600,
    });
    expect(res.body.data.accessToken).not.toBe(first.accessToken);
    expectError(
      await api(kit, 'POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } }),
      401,
    );
  });

  it('POST /api/auth/logout invalidates the token', async () => {
    const { accessToken, refreshToken } = await login(kit);
    const auth = { authorization: `Bearer ${accessToken}` };
    expect(
      (await api(kit, 'POST', '/api/auth/logout', { headers: auth, body: { refreshToken } })).status,
    ).toBe(204);
    expectError(await api(kit, 'GET', '/api/v1/conversations', { headers: auth }), 401);
    expectError(await api(kit, 'POST', '/api/auth/refresh', { body: { refreshToken } }), 401);
  });

  it('serves the current version /api/v1 and the unversioned /api paths alike', async () => {
    const v1 = await api(kit, 'GET', '/api/v1/conversations?pageSize=5', { headers: KEY });
    const plain = await api(kit, 'GET', '/api/conversations?pageSize=5', { headers: KEY });
    expect(v1.body.data.items.map((c: Body) => c.id)).toEqual(plain.body.data.items.map((c: Body) => c.id));
    expect(v1.body.data.pagination.next).toBe('/api/v1/conversations?page=2&pageSize=5');
    expect(plain.body.data.pagination.next).toBe('/api/conversations?page=2&pageSize=5');
  });

  it('conversations and messages: documented shapes, ids as strings, ISO times', async () => {
    const list = await api(kit, 'GET', '/api/v1/conversations?page=2&pageSize=10', { headers: KEY });
    expect(list.body.data.pagination).toMatchObject({
      total: 20,
      page: 2,
      pageSize: 10,
      pages: 2,
      next: null,
    });
    expect(list.body.data.pagination.prev).toBe('/api/v1/conversations?page=1&pageSize=10');
    const conv = list.body.data.items[0];
    expect(conv).toMatchObject({
      id: expect.any(String),
      status: expect.stringMatching(/^(active|closed)$/),
    });
    expect(conv.contact).toMatchObject({
      id: expect.any(String),
      name: expect.any(String),
      tags: expect.any(Array),
    });
    expect(Date.parse(conv.updatedAt)).not.toBeNaN();
    const one = await api(kit, 'GET', `/api/v1/conversations/${conv.id}`, { headers: KEY });
    expect(one.body.data.id).toBe(conv.id);
    const msgs = await api(kit, 'GET', `/api/v1/conversations/${conv.id}/messages?pageSize=100`, {
      headers: KEY,
    });
    expect(msgs.body.data.items.length).toBe(conv.messageCount);
    expect(msgs.body.data.items[0]).toMatchObject({
      id: expect.any(String),
      conversationId: conv.id,
      text: expect.any(String),
    });
    expect(['user', 'agent', 'bot']).toContain(msgs.body.data.items[0].sender);
  });

  it('SDK examples: create a chatbot {name, description, type}; send a message {text}', async () => {
    const bot = await api(kit, 'POST', '/api/chatbots', {
      headers: KEY,
      body: {
        name: 'Customer Support Bot',
        description: 'A chatbot for handling customer support inquiries',
        type: 'hybrid',
      },
    });
    expect(bot.status).toBe(201);
    expect(bot.body.data).toMatchObject({ name: 'Customer Support Bot', type: 'hybrid', status: 'inactive' });
    const deployed = await api(kit, 'POST', `/api/chatbots/${bot.body.data.id}/deploy`, { headers: KEY });
    expect(deployed.body.data).toMatchObject({ status: 'active', deployedAt: expect.any(String) });
    const put = await api(kit, 'PUT', `/api/chatbots/${bot.body.data.id}`, {
      headers: KEY,
      body: { status: 'inactive' },
    });
    expect(put.body.data).toMatchObject({ status: 'inactive', name: 'Customer Support Bot' });
    expect((await api(kit, 'DELETE', `/api/chatbots/${bot.body.data.id}`, { headers: KEY })).status).toBe(
      204,
    );
    expectError(await api(kit, 'GET', `/api/chatbots/${bot.body.data.id}`, { headers: KEY }), 404);

    const { conversationId } = kit.sim.inbound({ text: 'Do you ship to Portugal?' });
    const sent = await api(kit, 'POST', `/api/conversations/${conversationId}/messages`, {
      headers: KEY,
      body: { text: 'Hello, how can I help you?' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.data).toMatchObject({
      id: expect.any(String),
      conversationId,
      sender: 'agent',
      status: 'sent',
    });
    expect(kit.sent.filter((s) => s.text === 'Hello, how can I help you?')).toEqual([
      { to: conversationId, text: 'Hello, how can I help you?', at: expect.any(String) },
    ]);
  });

  it('templates: list, create, get, update, delete', async () => {
    expect((await api(kit, 'GET', '/api/templates', { headers: KEY })).body.data.items).toHaveLength(4);
    const made = await api(kit, 'POST', '/api/templates', {
      headers: KEY,
      body: { name: 'Thanks', content: 'Thank you! 🙏' },
    });
    expect(made.status).toBe(201);
    const id = made.body.data.id;
    expect((await api(kit, 'GET', `/api/templates/${id}`, { headers: KEY })).body.data.content).toBe(
      'Thank you! 🙏',
    );
    const put = await api(kit, 'PUT', `/api/templates/${id}`, {
      headers: KEY,
      body: { content: 'Thanks a lot!' },
    });
    expect(put.body.data).toMatchObject({ name: 'Thanks', content: 'Thanks a lot!' });
    expect((await api(kit, 'DELETE', `/api/templates/${id}`, { headers: KEY })).status).toBe(204);
    expectError(
      await api(kit, 'POST', '/api/templates', { headers: KEY, body: { name: 'no content' } }),
      422,
    );
  });

  it("POST /api/webhooks: deliveries are {event, timestamp, data, signature} and pass the doc's verify function", async () => {
    const received: { body: Body; signatureHeader: string | undefined }[] = [];
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({
        body: JSON.parse(Buffer.concat(chunks).toString()),
        signatureHeader: req.headers['x-signature'] as string,
      });
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const reg = await api(kit, 'POST', '/api/webhooks', {
        headers: KEY,
        body: { url, events: ['conversation.created', 'message.received'], secret: 'your_webhook_secret' },
      });
      expect(reg.status).toBe(201);
      expect(reg.body.data).toMatchObject({
        id: expect.any(String),
        url,
        events: ['conversation.created', 'message.received'],
      });
      expect(reg.body.data.secret).toBeUndefined();
      kit.sim.inbound({ contact: { name: 'Nova Cliente', handle: 'nova.cliente' }, text: 'Olá! 👋' });
      await waitFor(() => received.length >= 2);
      expect(received.map((r) => r.body.event)).toEqual(['conversation.created', 'message.received']);
      // The document's own verifyWebhookSignature, applied to the payload without its signature.
      function verifyWebhookSignature(payload: unknown, signature: string, secret: string) {
        const expectedSignature = createHmac('sha256', secret).update(JSON.stringify(payload)).digest('hex');
        return Buffer.from(`sha256=${expectedSignature}`).equals(Buffer.from(signature));
      }
      for (const { body, signatureHeader } of received) {
        const { signature, ...payload } = body;
        expect(Object.keys(payload)).toEqual(['event', 'timestamp', 'data']);
        expect(verifyWebhookSignature(payload, signature, 'your_webhook_secret')).toBe(true);
        expect(signatureHeader).toBe(signature);
      }
      expect(received[1].body.data.message).toMatchObject({ text: 'Olá! 👋', sender: 'user' });
      const again = await api(kit, 'POST', '/api/webhooks', {
        headers: KEY,
        body: { url, events: ['*'], secret: 'x' },
      });
      expect(again.status).toBe(200);
      expect(again.body.data.id).toBe(reg.body.data.id);
      expect((await api(kit, 'GET', '/api/webhooks', { headers: KEY })).body.data.items).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('health endpoints: liveness, readiness, metrics', async () => {
    for (const p of ['liveness', 'readiness', 'metrics']) {
      const res = await api(kit, 'GET', `/api/health/${p}`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('success');
    }
    const metrics = (await api(kit, 'GET', '/api/health/metrics')).body.data;
    expect(metrics).toMatchObject({
      conversations: expect.any(Number),
      messages: expect.any(Number),
      requests: { total: expect.any(Number) },
    });
  });
});

describe('chatbots-platform simulator: errors, auth failures and pagination edges', () => {
  let kit: SimKit;
  beforeAll(async () => {
    kit = await startKit();
  });
  afterAll(() => kit.close());

  it('missing or wrong credentials answer 401 in the error envelope', async () => {
    expectError(await api(kit, 'GET', '/api/v1/conversations'), 401);
    expectError(await api(kit, 'GET', '/api/v1/conversations', { headers: { 'x-api-key': 'wrong' } }), 401);
    expectError(
      await api(kit, 'GET', '/api/v1/conversations', { headers: { authorization: 'Bearer not.a.token' } }),
      401,
    );
    expectError(
      await api(kit, 'POST', '/api/auth/login', { body: { username: SIM_USERNAME, password: 'nope' } }),
      401,
    );
    const missing = await api(kit, 'POST', '/api/auth/login', { body: { username: SIM_USERNAME } });
    expectError(missing, 422);
    expect(missing.body.error.details).toEqual([{ field: 'password', message: 'is required' }]);
  });

  it('invalid JSON is 400, invalid fields 422, unknown ids and routes 404', async () => {
    expectError(await api(kit, 'POST', '/api/auth/login', { raw: '{"username": ' }), 400);
    const conv = (await api(kit, 'GET', '/api/v1/conversations?pageSize=1', { headers: KEY })).body.data
      .items[0];
    expectError(
      await api(kit, 'POST', `/api/v1/conversations/${conv.id}/messages`, { headers: KEY, body: {} }),
      422,
    );
    expectError(
      await api(kit, 'POST', `/api/v1/conversations/${conv.id}/messages`, {
        headers: KEY,
        body: { text: 'x'.repeat(5000) },
      }),
      422,
    );
    expectError(
      await api(kit, 'GET', '/api/v1/conversations/000000000000000000000000', { headers: KEY }),
      404,
    );
    expectError(await api(kit, 'GET', '/api/v1/nothing-here', { headers: KEY }), 404);
    expectError(await api(kit, 'GET', '/api/v1/nothing-here'), 404);
    expectError(
      await api(kit, 'POST', '/api/webhooks', { headers: KEY, body: { url: 'ftp://x', events: ['nope'] } }),
      422,
    );
  });

  it('pagination: page past the end is empty, pageSize is clamped to 1..100, page to >= 1', async () => {
    const past = await api(kit, 'GET', '/api/v1/conversations?page=99&pageSize=10', { headers: KEY });
    expect(past.status).toBe(200);
    expect(past.body.data.items).toEqual([]);
    expect(past.body.data.pagination).toMatchObject({ total: 20, page: 99, pages: 2, next: null });
    const big = await api(kit, 'GET', '/api/v1/conversations?pageSize=1000', { headers: KEY });
    expect(big.body.data.pagination.pageSize).toBe(100);
    expect(big.body.data.items).toHaveLength(20);
    const low = await api(kit, 'GET', '/api/v1/conversations?page=0&pageSize=-3', { headers: KEY });
    expect(low.body.data.pagination).toMatchObject({ page: 1, pageSize: 1, pages: 20 });
  });
});

describe('chatbots-platform simulator: strict mode answers only what the document shows', () => {
  let kit: SimKit;
  beforeAll(async () => {
    kit = await startKit({ seed: 1, strict: true });
  });
  afterAll(() => kit.close());

  it('messages carry no author field, and a customer message a delivery status like any other', async () => {
    const { conversationId } = kit.sim.inbound({ text: 'Is anyone there?' });
    await api(kit, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
      headers: KEY,
      body: { text: 'Yes, I am here.' },
    });
    const list = (await api(kit, 'GET', '/api/v1/conversations?pageSize=100', { headers: KEY })).body.data
      .items as Body[];
    const messages: Body[] = [];
    for (const conv of list.slice(0, 5)) {
      expect(Object.keys(conv.lastMessage ?? {})).not.toContain('sender');
      const res = await api(kit, 'GET', `/api/v1/conversations/${conv.id}/messages?pageSize=100`, {
        headers: KEY,
      });
      messages.push(...res.body.data.items);
    }
    expect(messages.map((m) => m.text)).toEqual(
      expect.arrayContaining(['Is anyone there?', 'Yes, I am here.']),
    );
    for (const m of messages) {
      expect(Object.keys(m).sort()).toEqual([
        'conversationId',
        'createdAt',
        'id',
        'status',
        'text',
        'type',
        'updatedAt',
      ]);
      expect(m.status).not.toBe('received');
    }
  });

  it('webhooks: only the documented events; deliveries are {event, timestamp, data, signature}, nothing in headers', async () => {
    const received: { body: Body; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString()), headers: req.headers });
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      for (const events of [['conversation.created', 'message.sent'], ['*']])
        expectError(
          await api(kit, 'POST', '/api/webhooks', { headers: KEY, body: { url, events, secret: 's' } }),
          422,
        );
      const reg = await api(kit, 'POST', '/api/webhooks', {
        headers: KEY,
        body: { url, events: ['conversation.created', 'message.received'], secret: 's' },
      });
      expect(reg.status).toBe(201);
      expectError(await api(kit, 'GET', '/api/webhooks', { headers: KEY }), 404); // undocumented
      const { conversationId, messageId } = kit.sim.inbound({
        contact: { name: 'Strict Kunde' },
        text: 'Hallo',
      });
      const sent = await api(kit, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
        headers: KEY,
        body: { text: 'Guten Tag!' },
      });
      await waitFor(() => received.length >= 3);
      expect(received.map((r) => r.body.event)).toEqual([
        'conversation.created',
        'message.received',
        'message.received', // the agent's message too: the only message event the document names
      ]);
      for (const { body, headers } of received) {
        expect(Object.keys(body)).toEqual(['event', 'timestamp', 'data', 'signature']);
        expect(headers['x-signature']).toBeUndefined();
        const { signature, ...payload } = body;
        const expected = 'sha256=' + createHmac('sha256', 's').update(JSON.stringify(payload)).digest('hex');
        expect(signature).toBe(expected);
      }
      // The data is the subject itself.
      expect(received[0].body.data).toMatchObject({ id: conversationId });
      expect(received[1].body.data).toMatchObject({ id: messageId, conversationId, text: 'Hallo' });
      expect(received[2].body.data).toEqual(sent.body.data);
      expect(received[2].body.data.sender).toBeUndefined();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('PUT /chatbots/{id} replaces the chatbot: {status} alone is 422, and a status in a full body switches nothing', async () => {
    const bots = (await api(kit, 'GET', '/api/chatbots', { headers: KEY })).body.data.items as Body[];
    const sales = bots.find((b) => b.name === 'Sales Assistant')!;
    const put = (body: Body) => api(kit, 'PUT', `/api/chatbots/${sales.id}`, { headers: KEY, body });
    const partial = await put({ status: 'active' });
    expectError(partial, 422);
    expect(partial.body.error.details).toEqual([{ field: 'name', message: 'is required' }]);
    const full = await put({ name: 'Sales Assistant', type: 'ai', status: 'active' });
    expect(full.body.data).toMatchObject({ name: 'Sales Assistant', description: '', status: 'inactive' });
  });

  it('POST /chatbots/{id}/deploy answers a deployment, not the chatbot; the chatbot reads back active', async () => {
    const bots = (await api(kit, 'GET', '/api/chatbots', { headers: KEY })).body.data.items as Body[];
    const sales = bots.find((b) => b.name === 'Sales Assistant')!;
    const deployed = await api(kit, 'POST', `/api/chatbots/${sales.id}/deploy`, { headers: KEY });
    expect(deployed.status).toBe(201);
    expect(deployed.body.data).toMatchObject({ chatbotId: sales.id, status: 'deployed' });
    expect(deployed.body.data.id).not.toBe(sales.id);
    const after = await api(kit, 'GET', `/api/chatbots/${sales.id}`, { headers: KEY });
    expect(after.body.data).toMatchObject({ status: 'active', deployedAt: expect.any(String) });
  });
});

describe.each(SIM_MODES)('chatbots-platform ($mode simulator): faults', ({ strict }) => {
  let kit: SimKit;
  let c: ProviderConnector;
  beforeAll(async () => {
    kit = await startKit({ seed: 1, strict });
    c = connect(kit);
    await c.authenticate();
  });
  afterAll(async () => {
    await c.close();
    await kit.close();
  });

  it('down: 503 / refused; the connector reports a server error, then recovers', async () => {
    kit.setFaults({ down: true });
    expectError(await api(kit, 'GET', '/api/v1/conversations', { headers: KEY }), 503);
    expect((await caught(c.listTemplates!())).kind).toBe('server');
    kit.setFaults({ down: false });
    expect(await c.listTemplates!()).toHaveLength(4);
  });

  it('latency delays answers', async () => {
    kit.setFaults({ latencyMs: 300 });
    const t0 = Date.now();
    await c.listTemplates!();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    kit.setFaults({ latencyMs: 0 });
  });

  it('errorRate: 500 in the error envelope; the connector reports a server error', async () => {
    kit.setFaults({ errorRate: 1 });
    expectError(await api(kit, 'GET', '/api/v1/conversations', { headers: KEY }), 500);
    expect((await caught(c.poll(null))).kind).toBe('server');
    kit.setFaults({ errorRate: 0 });
  });

  it('a 429 storm (Retry-After only in default mode): the connector waits and retries instead of failing', async () => {
    kit.setFaults({ rateLimit: true });
    const res = await api(kit, 'GET', '/api/v1/conversations', { headers: KEY });
    expectError(res, 429);
    expect(res.headers.get('retry-after')).toBe(strict ? null : '1');
    setTimeout(() => kit.setFaults({ rateLimit: false }), 1200);
    expect(await c.listTemplates!()).toHaveLength(4);
  });

  it('malformed JSON and wrongly shaped answers make the connector throw "malformed"', async () => {
    kit.setFaults({ malformed: 1 });
    expect((await caught(c.listFlows!())).kind).toBe('malformed');
    kit.setFaults({ malformed: 0 });

    const odd = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { items: 'not a list' } }));
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const other = createConnector({
        baseUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}/api`,
        credentials: { apiKey: 'k' },
        webhookUrl: 'http://127.0.0.1:9/unused',
        webhookSecret: SECRET,
      });
      const e = await caught(other.poll(null));
      expect(e.kind).toBe('malformed');
      expect(e.message).toContain('GET /conversations');
    } finally {
      await new Promise<void>((r) => odd.close(() => r()));
    }
  });

  it('a send the provider accepted but answered unreadably is "unconfirmed", and findSent finds it', async () => {
    const { conversationId } = kit.sim.inbound({ text: 'Hello?' });
    const since = new Date().toISOString();
    kit.setFaults({ malformed: 1 });
    const e = await caught(c.send(ref(conversationId), 'We are here', 'k'));
    kit.setFaults({ malformed: 0 });
    expect(e.kind).toBe('unconfirmed');
    expect(kit.sent.filter((x) => x.text === 'We are here')).toHaveLength(1);
    expect(await c.findSent(ref(conversationId), 'We are here', since)).toHaveLength(1);
  });

  it('expired tokens: the connector refreshes on the 401 and carries on', async () => {
    const before = (await api(kit, 'GET', '/api/health/metrics')).body.data.auth;
    kit.sim.expireTokens?.();
    expect(await c.listTemplates!()).toHaveLength(4);
    const after = (await api(kit, 'GET', '/api/health/metrics')).body.data.auth;
    expect(after.refreshes).toBe(before.refreshes + 1);
  });

  it('short-lived tokens (tokenTtlSec): the connector refreshes before they expire', async () => {
    kit.setFaults({ tokenTtlSec: 1 });
    const fresh = connect(kit);
    await fresh.authenticate();
    const before = (await api(kit, 'GET', '/api/health/metrics')).body.data;
    await new Promise((r) => setTimeout(r, 1100));
    expect(await fresh.listTemplates!()).toHaveLength(4);
    const after = (await api(kit, 'GET', '/api/health/metrics')).body.data;
    expect(after.auth.refreshes).toBeGreaterThan(before.auth.refreshes);
    expect(after.requests['4xx']).toBe(before.requests['4xx']); // renewed ahead of time: no 401 on the way
    kit.setFaults({ tokenTtlSec: undefined });
  });

  it('subscribe reports down while the provider is unreachable, then goes live by itself', async () => {
    kit.setFaults({ down: true });
    const states: string[] = [];
    const stop = await c.subscribe!({
      onEvent: () => {},
      onState: (s, reason) => states.push(reason ? `${s}: ${reason}` : s),
    });
    expect(states).toEqual([expect.stringMatching(/^down: webhook registration failed/)]);
    kit.setFaults({ down: false });
    await waitFor(() => states.includes('live'), 3000);
    stop();
  });

  it('bad credentials: authenticate() throws ProviderError auth with a clear message', async () => {
    const badPassword = await caught(
      connect(kit, { credentials: { username: SIM_USERNAME, password: 'wrong' } }).authenticate(),
    );
    expect(badPassword.kind).toBe('auth');
    expect(badPassword.message).toMatch(/rejected the username or password/);
    const badKey = await caught(connect(kit, { credentials: { apiKey: 'wrong' } }).authenticate());
    expect(badKey.kind).toBe('auth');
    expect(badKey.message).toMatch(/rejected the API key/);
  });
});

describe.each(SIM_MODES)('chatbots-platform connector against the $mode simulator', ({ strict }) => {
  let kit: SimKit;
  let c: ProviderConnector;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  beforeAll(async () => {
    kit = await startKit({ seed: 1, strict });
    hooks = await webhookReceiver(() => c);
    c = connect(kit, { webhookUrl: hooks.url });
    await c.authenticate();
  });
  afterAll(async () => {
    await c.close();
    await hooks.close();
    await kit.close();
  });

  it('declares honest capabilities', () => {
    expect(c.capabilities).toMatchObject({
      realtime: 'webhook',
      broadcast: 'fanout',
      flows: 'on-only',
      flowTest: false,
      templates: true,
    });
    expect(Object.keys(c.capabilities.unavailable)).toEqual(['flows', 'flowTest', 'markRead']);
    expect(c.capabilities.unavailable.flows).toMatch(/no way to switch one off/);
  });

  it("a full backfill equals the simulator's state, with either credential shape", async () => {
    const totals = await simTotals(kit);
    for (const credentials of [kit.sim.credentials(), { apiKey: SIM_API_KEY }]) {
      const got = await backfillAll(connect(kit, { credentials }));
      expect(new Set(got.conversations).size).toBe(totals.conversations);
      expect(got.conversations).toHaveLength(totals.conversations);
      expect(new Set(got.messages).size).toBe(totals.messages);
      expect(got.messages).toHaveLength(totals.messages);
    }
  });

  it('inbound shows up through poll, cheaply; a quiet poll returns nothing', async () => {
    const start = await c.poll(null);
    const { conversationId, messageId } = kit.sim.inbound({ text: 'Where is my order #4711? 📦' });
    const before = c.http.limiter.sent;
    const batch = await c.poll(start.cursor);
    expect(c.http.limiter.sent - before).toBe(2); // the conversation list + the changed conversation's messages
    expect(batch.conversations.map((x) => x.externalId)).toContain(conversationId);
    const m = batch.messages.find((x) => x.externalId === messageId);
    // No documented field says who wrote it: inbound by inference, with the provider's own status.
    expect(m).toMatchObject({
      conversationExternalId: conversationId,
      direction: 'in',
      directionInferred: true,
      text: 'Where is my order #4711? 📦',
      status: strict ? 'delivered' : 'received',
    });
    const quiet = await c.poll(batch.cursor);
    expect(quiet.conversations).toEqual([]);
    expect(quiet.messages).toEqual([]);
  });

  it('a null webhook URL (a provider that cannot reach this app): nothing registered, down once with the reason', async () => {
    const lone = connect(kit, { webhookUrl: null });
    const states: string[] = [];
    const stop = await lone.subscribe!({
      onEvent: () => {},
      onState: (s, reason) => states.push(`${s}: ${reason ?? ''}`),
    });
    expect(states).toEqual([
      expect.stringMatching(/^down: webhooks cannot reach this app \(127\.0\.0\.1:\d+ .*polling every 4 s$/),
    ]);
    expect(lone.http.limiter.sent).toBe(0); // not a single request: no registration
    expect((await api(kit, 'GET', '/api/health/metrics')).body.data.webhooks).toBe(0);
    expect(lone.diagnostics!().find((d) => d.topic === 'realtime')).toEqual({
      topic: 'realtime',
      reading: states[0].slice('down: '.length),
      confirmed: true,
    });
    stop();
    await lone.close();
  });

  it('webhooks: subscribe registers once and goes live; inbound arrives within 1 s with the same externalId as poll', async () => {
    const states: string[] = [];
    const handlers = { onEvent: () => {}, onState: (s: string) => states.push(s) };
    const stopA = await c.subscribe!(handlers);
    const stopB = await c.subscribe!(handlers);
    expect(states).toEqual(['live', 'live']);
    // Strict mode lists no registrations (undocumented): the simulator's metrics count them.
    expect((await api(kit, 'GET', '/api/health/metrics')).body.data.webhooks).toBe(1);

    const start = await c.poll(null);
    const t0 = Date.now();
    const { conversationId, messageId } = kit.sim.inbound({
      contact: { name: 'Σοφία Νέα', handle: 'sofia.nea' },
      text: 'Γεια σας!',
    });
    const event = await waitFor(
      () => hooks.events.find((e) => e.kind === 'message' && e.message.externalId === messageId),
      1000,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(
      hooks.events.some((e) => e.kind === 'conversation' && e.conversation.externalId === conversationId),
    ).toBe(true);
    const polled = await c.poll(start.cursor);
    const viaPoll = polled.messages.find((m) => m.externalId === messageId);
    expect(event.kind === 'message' && event.message).toEqual(viaPoll);
    expect(polled.conversations.find((x) => x.externalId === conversationId)?.contact).toMatchObject({
      name: 'Σοφία Νέα',
      handle: 'sofia.nea',
    });
    stopA();
    stopB();
  });

  it('send: one request, delivered exactly once, seen by poll and webhooks, found by findSent', async () => {
    const { conversationId } = kit.sim.inbound({ text: 'Can I change the delivery address?' });
    const start = await c.poll(null);
    const since = new Date().toISOString();
    const before = c.http.limiter.sent;
    const sent = await c.send(ref(conversationId), 'Sure, send me the new address 🏠', 'idem-1');
    expect(c.http.limiter.sent - before).toBe(1);
    expect(sent.status).toBe('sent');
    expect(kit.sent.filter((s) => s.text === 'Sure, send me the new address 🏠')).toHaveLength(1);

    const polled = await c.poll(start.cursor);
    // Default mode names the author; strict mode does not, and the reply reads as inbound by inference (the
    // store takes it for the app's own by conversation and text).
    expect(polled.messages.find((m) => m.externalId === sent.externalId)).toMatchObject(
      strict ? { direction: 'in', directionInferred: true } : { direction: 'out', meta: { sender: 'agent' } },
    );
    if (!strict)
      await waitFor(() =>
        hooks.events.find(
          (e) => e.kind === 'message.status' && e.externalId === sent.externalId && e.status === 'delivered',
        ),
      );
    await waitFor(() =>
      hooks.events.find((e) => e.kind === 'message' && e.message.externalId === sent.externalId),
    );

    expect(await c.findSent(ref(conversationId), 'Sure, send me the new address 🏠', since)).toMatchObject([
      { externalId: sent.externalId },
    ]);
    expect(await c.findSent(ref(conversationId), 'never sent', since)).toEqual([]);
    expect(
      await c.findSent(
        ref(conversationId),
        'Sure, send me the new address 🏠',
        new Date(Date.now() + 60_000).toISOString(),
      ),
    ).toEqual([]);
  });

  it('diagnostics: what was assumed, and what the answers confirmed', () => {
    const items = c.diagnostics!();
    expect(items.map((d) => d.topic)).toEqual([
      'direction',
      'realtime',
      'webhook signature',
      'send',
      'contacts',
      'flows',
      'poll',
      'version',
    ]);
    const by = Object.fromEntries(items.map((d) => [d.topic, d]));
    // Only default mode's answer to the app's own send named the business as its author.
    expect(by.direction.confirmed).toBe(!strict);
    expect(by.direction.reading).toMatch(/inbound by inference/);
    expect(by.realtime).toMatchObject({
      confirmed: true,
      reading: strict
        ? expect.stringMatching(/^webhooks registered \(conversation\.created, message\.received\); the last/)
        : expect.stringMatching(/^webhooks registered \(.*chatbot\.updated\); the last/),
    });
    expect(by['webhook signature']).toMatchObject({
      confirmed: true,
      reading: expect.stringMatching(/bytes sent/),
    });
    expect(by.send.confirmed).toBe(true);
    expect(by.contacts.confirmed).toBe(true);
    expect(by.poll).toMatchObject({
      confirmed: true, // the list proved its order, and X-RateLimit-Limit said 100
      reading: expect.stringMatching(/at most 3 conversation-list pages and 10 conversations' messages/),
    });
    expect(by.version).toMatchObject({ confirmed: true, reading: expect.stringMatching(/\/api\/v1$/) });
    expect(JSON.stringify(items)).not.toContain(SECRET);
  });

  it('externalIds are stable across backfill, poll and webhooks, replays and out-of-order deliveries', async () => {
    const { conversationId, messageId } = kit.sim.inbound({ text: 'Still waiting…' });
    const viaHook = await waitFor(() =>
      hooks.events.find((e) => e.kind === 'message' && e.message.externalId === messageId),
    );
    const all = await backfillAll(c);
    expect(all.messages).toContain(messageId);
    const old = await c.poll(null);
    const replayed = await c.poll(null); // the same cursor twice: same ids, nothing invented
    expect(replayed.messages.map((m) => m.externalId).sort()).toEqual(
      old.messages.map((m) => m.externalId).sort(),
    );
    expect(old.messages.find((m) => m.externalId === messageId)?.conversationExternalId).toBe(conversationId);

    // The same deliveries again, last first: they decode to the same events.
    const mine = hooks.deliveries.filter((d) => d.rawBody.toString().includes(messageId));
    const again = mine.reverse().flatMap((d) => c.handleWebhook!(d).events ?? []);
    expect(again.filter((e) => e.kind === 'message')).toContainEqual(viaHook);
  });

  it('handleWebhook: the signature from the top level of the body, as signed; no timestamp needed; late deliveries re-read; tampering refused', () => {
    const payload = {
      event: 'message.received',
      timestamp: new Date().toISOString(),
      data: { message: { id: 42, conversationId: 7, sender: 'user', text: 'hi' } },
    };
    const body = signed(payload);
    expect(c.handleWebhook!(delivery(body))).toEqual({
      events: [
        {
          kind: 'message',
          conversation: undefined,
          message: expect.objectContaining({
            externalId: '42',
            conversationExternalId: '7',
            direction: 'in',
            directionInferred: true,
          }),
        },
      ],
      deliveryId: body.signature,
    });
    // The document requires no timestamp: a delivery without one, its data the message itself, is applied.
    const bare = signed({ event: 'message.received', data: { id: 43, conversationId: 7, text: 'no time' } });
    expect(c.handleWebhook!(delivery(bare)).events).toEqual([
      {
        kind: 'message',
        conversation: undefined,
        message: expect.objectContaining({ externalId: '43', text: 'no time', direction: 'in' }),
      },
    ]);
    // An hour late (a provider's retries) is genuine too, but old enough to be a replay the server forgot:
    // what it says is re-read from the API instead of applied.
    const late = signed({ ...payload, timestamp: new Date(Date.now() - 3600_000).toISOString() });
    expect(c.handleWebhook!(delivery(late))).toEqual({
      events: [{ kind: 'resync' }],
      deliveryId: late.signature,
    });
    // Whatever the sender's layout, the signature covers the bytes around its member.
    const raw = JSON.stringify(payload, null, 2);
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex');
    const pretty = raw.replace(/\n}$/, `,\n  "signature": "${sig}"\n}`);
    expect(c.handleWebhook!(delivery(pretty)).events).toHaveLength(1);
    // Signed as the document's verifyWebhookSignature checks it (JSON.stringify of the payload) and sent laid
    // out otherwise: accepted, under the same name as the compact original, so the server refuses a replay.
    expect(c.handleWebhook!(delivery(JSON.stringify(body, null, 2)))).toMatchObject({
      events: [{ kind: 'message' }],
      deliveryId: body.signature,
    });

    const tampered = { ...body, data: { message: { ...payload.data.message, text: 'changed' } } };
    const rejections: [WebhookRequest, RegExp][] = [
      [delivery(tampered), /signature does not match/],
      [delivery(signed(payload, 'other secret')), /signature does not match/],
      [delivery({ ...payload }), /no signature/],
      // A header is not where the document puts the signature.
      [delivery(raw, { 'x-signature': sig }), /no signature/],
      [delivery({ ...payload, data: { ...payload.data, signature: body.signature } }), /no signature/],
      [delivery('{not json'), /not JSON/],
    ];
    for (const [req, why] of rejections) {
      const e = rejectionOf(() => c.handleWebhook!(req));
      expect(e.kind).toBe('auth');
      expect(e.message).toMatch(why);
    }
  });

  it('chatbots are flows: switched on through the documented deploy, never off through a guessed PUT; templates are canned replies', async () => {
    const flows = await c.listFlows!();
    expect(flows.map((f) => [f.name, f.active])).toEqual([
      ['Support Bot', true],
      ['Sales Assistant', false],
      ['FAQ Bot', true],
    ]);
    const sales = flows[1];
    const chatbot = async () =>
      (await api(kit, 'GET', `/api/v1/chatbots/${sales.externalId}`, { headers: KEY })).body.data;
    const before = await chatbot();
    expect(before.deployedAt).toBeNull();
    expect(await c.setFlowActive!(sales.externalId, true)).toMatchObject({
      externalId: sales.externalId,
      active: true,
    });
    const deployed = await chatbot();
    expect(deployed).toMatchObject({
      status: 'active',
      deployedAt: expect.any(String), // POST /chatbots/{id}/deploy did it
      name: before.name,
      description: before.description,
      type: before.type,
    });
    expect((await c.listFlows!())[1].active).toBe(true);
    if (!strict)
      await waitFor(() =>
        hooks.events.find(
          (e) => e.kind === 'flow' && e.flow.externalId === sales.externalId && e.flow.active,
        ),
      );
    // No documented way to switch it off: refused with the reason, and the chatbot is left as it was.
    const off = await caught(c.setFlowActive!(sales.externalId, false));
    expect(off.kind).toBe('client');
    expect(off.message).toMatch(/no way to switch one off/);
    expect(await chatbot()).toEqual(deployed);
    expect(c.diagnostics!().find((d) => d.topic === 'flows')?.confirmed).toBe(true);

    const templates = await c.listTemplates!();
    expect(templates).toHaveLength(4);
    expect(templates[0]).toMatchObject({
      name: 'Greeting',
      text: expect.stringContaining('thanks for contacting us'),
    });
  });

  it('a poll round is bounded: a backlog of changed conversations is read a few at a time, round after round', async () => {
    const big = await startKit({ seed: 3, strict, conversations: 300 });
    big.setFaults({ rateLimit: 100_000 }); // measure requests, not waiting
    const p = connect(big, { unlimited: true });
    try {
      let cursor = (await p.poll(null)).cursor;
      // 25 customers of older conversations (pages 2 and 3 of the list) write in.
      const older = (await api(big, 'GET', '/api/v1/conversations?page=2&pageSize=100', { headers: KEY }))
        .body.data.items as Body[];
      const wanted = new Set(
        older
          .slice(0, 25)
          .map((conv, i) => big.sim.inbound({ contact: { id: conv.contact.id }, text: `#${i}` }).messageId),
      );
      const perRound: number[] = [];
      const seen = new Set<string>();
      for (let round = 0; round < 6 && seen.size < wanted.size; round++) {
        const before = p.http.limiter.sent;
        const batch = await p.poll(cursor);
        perRound.push(p.http.limiter.sent - before);
        for (const m of batch.messages) if (wanted.has(m.externalId)) seen.add(m.externalId);
        cursor = batch.cursor;
      }
      expect(seen.size).toBe(25);
      // One list page (the list is sorted by activity) and at most 10 conversations' messages a round.
      expect(perRound).toEqual([11, 11, 6]);
      const quiet = await p.poll(cursor);
      expect(quiet.messages).toEqual([]);
    } finally {
      await p.close();
      await big.close();
    }
  });
});

describe.each(SIM_MODES)('chatbots-platform connector: larger worlds ($mode simulator)', ({ strict }) => {
  let kit: SimKit;
  beforeAll(async () => {
    kit = await startKit({ seed: 2, strict, conversations: 60, messagesPerConversation: 150 });
    // Benchmark-sized: lift the per-minute quota so these tests measure resumption and paging, not waiting.
    kit.setFaults({ rateLimit: 100_000 });
  });
  afterAll(() => kit.close());

  it('an interrupted backfill resumes from its cursor without downloading a page twice', async () => {
    const first = await connect(kit, { unlimited: true }).backfill(null);
    expect(first.done).toBe(false);
    expect(first.conversations).toHaveLength(25);
    const rest = await backfillAll(connect(kit, { unlimited: true }), first.cursor); // a fresh connector, as after a restart
    const ids = [...first.conversations.map((x) => x.externalId), ...rest.conversations];
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
    // Newest first: nothing in the later batches is newer than the first batch.
    const oldestFirst = Math.min(...first.conversations.map((x) => Date.parse(x.lastActivityAt)));
    expect(Math.max(...rest.activity.map((t) => Date.parse(t)))).toBeLessThanOrEqual(oldestFirst);
  });

  it('backfill keeps the newest 100 messages per conversation; olderMessages pages back through the rest', async () => {
    const c = connect(kit, { unlimited: true });
    const batch = await c.backfill(null);
    const conv = batch.conversations[0].externalId;
    const recent = batch.messages.filter((m) => m.conversationExternalId === conv);
    expect(recent).toHaveLength(100);
    const newest = await c.olderMessages!(ref(conv), null);
    const older = await c.olderMessages!(ref(conv), newest.next);
    expect(older.next).toBeNull();
    const paged = [...newest.messages, ...older.messages].map((m) => m.externalId);
    expect(new Set(paged).size).toBe(150);
    expect(paged.slice(0, 100)).toEqual(recent.map((m) => m.externalId)); // newest first across pages
  });
});

/**
 * Another server written from the same document, making other choices where it is silent: unversioned
 * paths only, a login answer without the envelope, numeric ids, other field names, conversations in
 * creation order (oldest first), messages newest first, two per page, and only the documented webhook events.
 */
async function otherReading(count = 5) {
  const now = Math.floor(Date.now() / 1000) - 3600;
  let nextId = 1000;
  const conversations = Array.from({ length: count }, (_, i) => i + 1).map((id) => ({
    id,
    createdAt: new Date((now + id * 60) * 1000).toISOString(),
    user: { id: 100 + id, name: `User ${id}` },
    messages: [0, 1, 2].map((k) => ({
      id: nextId++,
      role: k % 2 ? 'assistant' : 'user',
      content: `m${k}`,
      timestamp: now + id * 60 + k,
    })),
  }));
  const page = (all: unknown[], p: number) => ({
    status: 'success',
    data: {
      items: all.slice((p - 1) * 2, p * 2),
      pagination: { total: all.length, page: p, pages: Math.ceil(all.length / 2) },
    },
  });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    const url = new URL(req.url ?? '/', 'http://x');
    const p = Number(url.searchParams.get('page') ?? 1);
    const reply = (status: number, b: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
    const conv = conversations.find((c) => url.pathname === `/api/conversations/${c.id}/messages`);
    if (url.pathname === '/api/auth/login')
      return reply(200, { accessToken: 'tok', refreshToken: 'r', expiresIn: '3600' });
    if (req.headers.authorization !== 'Bearer tok')
      return reply(401, { status: 'error', error: { code: 401, message: 'no' } });
    if (url.pathname === '/api/conversations') {
      const items = conversations.map(({ messages, ...c }) => ({
        ...c,
        lastMessage: messages[messages.length - 1],
      }));
      return reply(200, page(items, p));
    }
    if (conv && req.method === 'POST') {
      const message = {
        id: nextId++,
        role: 'assistant',
        content: body.text,
        timestamp: Math.floor(Date.now() / 1000),
      };
      conv.messages.push(message);
      return reply(201, { status: 'success', data: { message } });
    }
    if (conv) return reply(200, page([...conv.messages].reverse(), p));
    if (url.pathname === '/api/webhooks' && req.method === 'POST' && body.events.length > 2)
      return reply(422, { status: 'error', error: { code: 422, message: 'unknown events' } });
    if (url.pathname === '/api/webhooks' && req.method === 'POST')
      return reply(201, { status: 'success', data: { id: 1 } });
    reply(404, { status: 'error', error: { code: 404, message: 'not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    /** A customer writes into conversation `id`. */
    write: (id: number, text: string) =>
      conversations[id - 1].messages.push({
        id: nextId++,
        role: 'user',
        content: text,
        timestamp: Math.floor(Date.now() / 1000),
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('chatbots-platform connector: tolerant of another reading of the document', () => {
  it('a list of unproven order is walked a few pages a round; a change deep in it is found when the walk gets there', async () => {
    const other = await otherReading(40); // 20 pages of 2, in creation order
    const c = createConnector({
      baseUrl: other.baseUrl,
      credentials: { username: 'u', password: 'p' },
      webhookUrl: null,
      webhookSecret: SECRET,
    });
    try {
      await c.authenticate();
      const perRound: number[] = [];
      const found: number[] = [];
      let cursor: string | null = null;
      for (let round = 0; round < 8; round++) {
        const before = c.http.limiter.sent;
        const batch = await c.poll(cursor);
        perRound.push(c.http.limiter.sent - before);
        if (batch.messages.some((m) => m.text === 'still there?')) found.push(round);
        cursor = batch.cursor;
        if (round === 0) other.write(10, 'still there?'); // conversation 10 is on page 5 of 20
      }
      // Round 1 enters from the last page (page 1 is read first to learn the order), 3 pages a round after,
      // back to page 1 in round 7; round 6 reads page 5 and the changed conversation's messages. Round 8 starts
      // again, with nothing new.
      expect(perRound).toEqual([4, 3, 3, 3, 3, 4, 2, 4]);
      expect(found).toEqual([5]);
      expect(c.diagnostics!().find((d) => d.topic === 'poll')?.reading).toMatch(
        /order is not proven.*the longest walk took 7 rounds/,
      );
    } finally {
      await c.close();
      await other.close();
    }
  });

  it('backfills, polls, sends, finds and subscribes against a server that chose differently', async () => {
    const other = await otherReading();
    const c = createConnector({
      baseUrl: other.baseUrl,
      credentials: { username: 'u', password: 'p' },
      webhookUrl: 'http://127.0.0.1:9/unused',
      webhookSecret: SECRET,
    });
    try {
      await c.authenticate();
      const all = await backfillAll(c);
      expect(all.conversations).toEqual(['5', '4', '3', '2', '1']); // newest first
      expect(all.messages).toHaveLength(15);
      const start = await c.poll(null);
      // An old conversation gets new activity: it sits in the middle of a creation-ordered list.
      const sent = await c.send(ref('2'), 'hello from the agent', 'k');
      const polled = await c.poll(start.cursor);
      expect(polled.conversations.map((x) => x.externalId)).toEqual(['2']);
      expect(polled.messages).toEqual([
        expect.objectContaining({ externalId: sent.externalId, direction: 'out' }),
      ]);
      expect(
        await c.findSent(ref('2'), 'hello from the agent', new Date(Date.now() - 1000).toISOString()),
      ).toMatchObject([{ externalId: sent.externalId }]);
      const states: string[] = [];
      const stop = await c.subscribe!({ onEvent: () => {}, onState: (s) => states.push(s) });
      expect(states).toEqual(['live']); // registered with the two documented events after a 422
      stop();
    } finally {
      await c.close();
      await other.close();
    }
  });
});

describe.each(SIM_MODES)('chatbots-platform ($mode simulator): rate limits', ({ strict }) => {
  let kit: SimKit;
  beforeAll(async () => {
    kit = await startKit({ seed: 1, strict });
  });
  afterAll(() => kit.close());

  it('the simulator enforces 100 requests per minute per account with 429 and X-RateLimit-* (Retry-After only in default mode)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++)
      statuses.push((await api(kit, 'GET', '/api/v1/chatbots', { headers: KEY })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await api(kit, 'GET', '/api/v1/chatbots', { headers: KEY });
    expectError(over, 429);
    if (strict) expect(over.headers.get('retry-after')).toBeNull();
    else expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    // Another account has its own quota.
    const { accessToken } = await login(kit);
    expect(
      (await api(kit, 'GET', '/api/v1/chatbots', { headers: { authorization: `Bearer ${accessToken}` } }))
        .status,
    ).toBe(200);
  });

  it("the connector's own limiter holds the documented 100 per minute", async () => {
    const c = connect(kit);
    for (let i = 0; i < 100; i++) await c.http.limiter.take();
    expect(c.http.limiter.delay()).toBeGreaterThan(55_000);
  });

  it('with a tightened limit the connector stops at the limit and waits instead of exceeding it', async () => {
    kit.reset();
    kit.setFaults({ rateLimit: 5 });
    const c = connect(kit, { credentials: { apiKey: SIM_API_KEY } });
    await c.authenticate(); // 1 request
    for (let i = 0; i < 4; i++) expect(await c.listTemplates!()).toHaveLength(4); // 4 more: the limit
    // X-RateLimit-Remaining: 0 told it to hold back until the window resets: no 6th request goes out.
    expect(c.http.limiter.sent).toBe(5);
    expect(c.http.limiter.delay()).toBeGreaterThan(50_000);
  });
});
