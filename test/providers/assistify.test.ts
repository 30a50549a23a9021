// Assistify: the simulator against providers/assistify.md, and the connector against the simulator in both of
// its modes (default, and strict: only what the document shows) and against a quirkier server of the same
// document (string ids, lists in reverse order). About 25 s, most of it strict sends waiting to be confirmed by
// reads and the 429 tests.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { SimKit, sleep, type ProviderSim } from '../../main/providers/simkit';
import { createSimulator, type AssistifySimulator } from '../../main/providers/assistify/simulator';
import { createConnector } from '../../main/providers/assistify/connector';
import { ProviderError } from '../../main/providers/http';
import type { ConversationRef, RemoteConversation, RemoteMessage, SyncBatch } from '../../main/domain/remote';
import type { ProviderConnector, RealtimeEvent } from '../../main/providers/types';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
type Json = Record<string, unknown>;

const MODES = [{ strict: false }, { strict: true }];

function connectorFor(kit: SimKit, token?: string): ProviderConnector {
  return createConnector({
    baseUrl: kit.baseUrl,
    credentials: token ? { token } : kit.sim.credentials(),
    webhookUrl: 'http://127.0.0.1:1/webhooks/assistify',
    webhookSecret: 'not-used-by-assistify',
  });
}

interface Call {
  json?: unknown;
  form?: Record<string, string>;
  /** null: no Authorization header; default: the simulator's token. */
  token?: string | null;
}

async function api(kit: SimKit, method: string, path: string, o: Call = {}) {
  const token = o.token === undefined ? (kit.sim.credentials() as { token: string }).token : o.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let body: string | undefined;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof o.json === 'string' ? o.json : JSON.stringify(o.json);
  } else if (o.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(o.form).toString();
  }
  const res = await fetch(kit.baseUrl + path, { method, headers, body });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: json, headers: res.headers };
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const nextFrame = (ws: WebSocket): Promise<Json> =>
  new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Json)));

/** Every frame a socket receives from now on. */
function framesOf(ws: WebSocket): Json[] {
  const frames: Json[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Json));
  return frames;
}

/** The requests a simulator answers from now on, as "METHOD /path?query". */
function requestsTo(kit: SimKit): string[] {
  const seen: string[] = [];
  kit.server.on('request', (req: { method?: string; url?: string }) => seen.push(`${req.method} ${req.url}`));
  return seen;
}
const feedRequests = (seen: string[]) => seen.filter((r) => r.startsWith('GET /api/messages/?'));

async function backfillAll(c: ProviderConnector): Promise<SyncBatch[]> {
  const batches: SyncBatch[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const b = await c.backfill(cursor);
    batches.push(b);
    cursor = b.cursor;
    if (b.done) return batches;
  }
  throw new Error('backfill never finished');
}

async function until<T>(get: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await sleep(10);
  }
}

const refOf = (conversationId: string): ConversationRef => ({
  externalId: conversationId,
  contactExternalId: '',
  meta: {},
});

/** The conversation a returning customer's next message lands in: their newest, when it is still active. */
function activeConversationOfReturningCustomer(sim: AssistifySimulator) {
  const all = [...sim.world.conversations.values()];
  const lastAt = (id: number) => sim.world.messagesOf(id).at(-1)?.createdAt ?? 0;
  return all
    .filter((c) => c.status === 'active')
    .filter((c) => all.every((o) => o.customerId !== c.customerId || o.createdAt <= c.createdAt))
    .sort((a, b) => lastAt(b.id) - lastAt(a.id))[0];
}

describe('assistify simulator: the document', () => {
  const sim = createSimulator({ seed: 1 });
  const kit = new SimKit(sim);
  beforeAll(() => kit.listen());
  afterAll(() => kit.close());

  it('serves under /api on its own origin, with {token} credentials', () => {
    expect(sim.basePath).toBe('/api');
    expect(kit.baseUrl).toBe(kit.origin + '/api');
    expect(sim.credentials()).toEqual({ token: expect.any(String) });
  });

  it('seeds ~20 varied conversations deterministically', () => {
    const again = createSimulator({ seed: 1 });
    expect(sim.world.conversations.size).toBe(20);
    expect(again.world.messages.map((m) => m.content)).toEqual(sim.world.messages.map((m) => m.content));
    const lengths = [...sim.world.conversations.keys()].map((id) => sim.world.messagesOf(id).length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lengths)).toBeGreaterThan(5);
    expect(new Set([...sim.world.conversations.values()].map((c) => c.status))).toEqual(
      new Set(['active', 'closed']),
    );
    const big = createSimulator({ seed: 2, conversations: 500, messagesPerConversation: 3 });
    expect(big.world.conversations.size).toBe(500);
  });

  it('Example 1: process a message', async () => {
    const r = await api(kit, 'POST', '/messages/process_message/', {
      json: { content: 'I want to buy the gold package', conversation_id: 1 },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      message_id: expect.any(Number),
      intent: 'purchase',
      sentiment: 'positive',
      response: expect.stringContaining('gold package'),
      confidence: expect.any(Number),
    });
    const { confidence } = r.body as { confidence: number };
    expect(confidence).toBeGreaterThan(0.5);
    expect(confidence).toBeLessThanOrEqual(1);
  });

  it('classifies intents and sentiments with a small keyword model', async () => {
    const label = async (content: string) =>
      (await api(kit, 'POST', '/messages/process_message/', { json: { content, conversation_id: 2 } })).body;
    expect(await label('My package arrived damaged 📦💥')).toMatchObject({
      intent: 'complaint',
      sentiment: 'negative',
    });
    expect(await label('Can I get a refund?')).toMatchObject({ intent: 'return' });
    expect(await label('Hi! Where is my order #12345?')).toMatchObject({
      intent: 'tracking',
      sentiment: 'neutral',
    });
    expect(await label('Please help, I forgot my password')).toMatchObject({ intent: 'support' });
    expect(await label('Do you have it in blue?')).toMatchObject({ intent: 'inquiry' });
    expect(await label('Perfect, thank you so much!')).toMatchObject({ sentiment: 'positive' });
  });

  it('Example 2: get conversation messages', async () => {
    const r = await api(kit, 'GET', '/messages/get_conversation_messages/?conversation_id=1');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    const list = r.body as Json[];
    for (const m of list)
      expect(m).toMatchObject({
        id: expect.any(Number),
        conversation_id: 1,
        content: expect.any(String),
        created_at: expect.stringMatching(ISO),
      });
    expect(list.at(-1)).toMatchObject({
      sender: 'customer',
      content: 'I want to buy the gold package',
      intent: 'purchase',
      sentiment: 'positive',
    });
    expect(list.map((m) => m.created_at)).toEqual([...list.map((m) => m.created_at)].sort());
  });

  it('Example 3: create a conversation; list and close conversations', async () => {
    const created = await api(kit, 'POST', '/conversations/create_conversation/', {
      json: { customer_id: 1, channel: 'whatsapp' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      customer_id: 1,
      channel: 'whatsapp',
      status: 'active',
      created_at: expect.stringMatching(ISO),
    });
    const { id } = created.body as { id: number };

    const list = await api(kit, 'GET', '/conversations/');
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, customer_id: 1, status: 'active' })]),
    );
    for (const c of list.body as Json[]) expect(['active', 'closed']).toContain(c.status);

    const closed = await api(kit, 'POST', `/conversations/${id}/close_conversation/`);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id, status: 'closed' });
    expect((await api(kit, 'POST', '/conversations/9999/close_conversation/')).body).toEqual({
      detail: 'Not found.',
    });
  });

  it('WhatsApp webhook takes Twilio fields as JSON or form, once per MessageSid', async () => {
    const twilio = {
      From: 'whatsapp:+1234567890',
      Body: 'I want to buy the gold package',
      MessageSid: 'SM1234567890',
    };
    const json = await api(kit, 'POST', '/webhooks/whatsapp/', { json: twilio });
    expect(json.status).toBe(200);
    const { conversation_id } = json.body as { conversation_id: number };
    const form = await api(kit, 'POST', '/webhooks/whatsapp/', {
      form: { ...twilio, Body: 'Any update?', MessageSid: 'SM2' },
    });
    expect(form.body).toMatchObject({ conversation_id });
    const again = await api(kit, 'POST', '/webhooks/whatsapp/', { json: twilio });
    expect(again.body).toEqual(json.body);
    const msgs = (
      await api(kit, 'GET', `/messages/get_conversation_messages/?conversation_id=${conversation_id}`)
    ).body as Json[];
    expect(msgs.map((m) => m.content)).toEqual(['I want to buy the gold package', 'Any update?']);
    expect((await api(kit, 'POST', '/webhooks/whatsapp/', { json: { Body: 'x' } })).status).toBe(400);
  });

  it('Instagram webhook takes Meta entry/messaging', async () => {
    const r = await api(kit, 'POST', '/webhooks/instagram/', {
      json: {
        entry: [
          {
            messaging: [
              { sender: { id: '123456' }, message: { text: 'I want to buy the gold package' } },
              { sender: { id: '123456' }, read: {} },
            ],
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    const [messageId] = (r.body as { message_ids: number[] }).message_ids;
    const m = sim.world.messages.find((x) => x.id === messageId)!;
    expect(sim.world.conversations.get(m.conversationId)?.channel).toBe('instagram');
    expect((await api(kit, 'POST', '/webhooks/instagram/', { json: {} })).status).toBe(400);
  });

  it('analytics: intent, sentiment and channel statistics', async () => {
    const intents = await api(kit, 'GET', '/analytics/intent_stats/');
    expect(Object.keys(intents.body as Json).sort()).toEqual([
      'complaint',
      'inquiry',
      'purchase',
      'return',
      'support',
      'tracking',
    ]);
    const sentiments = await api(kit, 'GET', '/analytics/sentiment_stats/');
    expect(Object.keys(sentiments.body as Json).sort()).toEqual(['negative', 'neutral', 'positive']);
    const channels = await api(kit, 'GET', '/analytics/channel_stats/');
    expect(Object.keys(channels.body as Json).sort()).toEqual([
      'facebook',
      'instagram',
      'shopify',
      'whatsapp',
    ]);
    for (const r of [intents, sentiments, channels])
      for (const v of Object.values(r.body as Json)) expect(v).toEqual(expect.any(Number));
    const total = Object.values(channels.body as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(sim.world.conversations.size);
  });

  it('pagination, filtering and sorting as documented', async () => {
    const page = await api(kit, 'GET', '/conversations/?page=1&page_size=10');
    expect(page.body).toMatchObject({
      count: sim.world.conversations.size,
      previous: null,
      results: expect.any(Array),
    });
    const body = page.body as { next: string; results: Json[] };
    expect(body.results).toHaveLength(10);
    expect(new URL(body.next).searchParams.get('page')).toBe('2');

    const active = (await api(kit, 'GET', '/conversations/?status=active')).body as Json[];
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((c) => c.status === 'active')).toBe(true);
    const whatsapp = (await api(kit, 'GET', '/conversations/?channel=whatsapp')).body as Json[];
    expect(whatsapp.every((c) => c.channel === 'whatsapp')).toBe(true);
    const newest = (await api(kit, 'GET', '/conversations/?ordering=-created_at')).body as {
      created_at: string;
    }[];
    expect(newest.map((c) => c.created_at)).toEqual(
      newest
        .map((c) => c.created_at)
        .sort()
        .reverse(),
    );

    const from = new Date(Date.now() - 2 * 86400_000).toISOString().slice(0, 10);
    const ranged = (await api(kit, 'GET', `/messages/?created_at__gte=${from}&created_at__lte=2999-01-01`))
      .body as { created_at: string }[];
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((m) => m.created_at >= from)).toBe(true);
    expect((await api(kit, 'GET', '/messages/?created_at__gte=yesterday')).body).toEqual({
      error: expect.any(String),
    });
  });

  it('pagination edges: past the end, size limits', async () => {
    expect(await api(kit, 'GET', '/conversations/?page=99&page_size=10')).toMatchObject({
      status: 404,
      body: { detail: 'Invalid page.' },
    });
    const huge = (await api(kit, 'GET', '/messages/?page=1&page_size=100000')).body as {
      count: number;
      results: Json[];
    };
    expect(huge.count).toBeGreaterThan(100);
    expect(huge.results).toHaveLength(100);
    const zero = (await api(kit, 'GET', '/conversations/?page=1&page_size=0')).body as { results: Json[] };
    expect(zero.results).toHaveLength(10);
  });

  it('errors in the documented envelopes', async () => {
    expect(await api(kit, 'POST', '/messages/process_message/', { json: {} })).toMatchObject({
      status: 400,
      body: { error: 'content and conversation_id are required' },
    });
    expect(await api(kit, 'POST', '/messages/process_message/', { json: '{"content": ' })).toMatchObject({
      status: 400,
      body: { error: expect.any(String) },
    });
    expect(await api(kit, 'GET', '/nope/')).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect(
      await api(kit, 'GET', '/messages/get_conversation_messages/?conversation_id=424242'),
    ).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect(await api(kit, 'GET', '/messages/process_message/')).toMatchObject({
      status: 405,
      body: { detail: expect.any(String) },
    });
  });

  it('authentication: Bearer token required everywhere', async () => {
    const none = await api(kit, 'GET', '/conversations/', { token: null });
    expect(none).toMatchObject({
      status: 401,
      body: { detail: 'Authentication credentials were not provided.' },
    });
    expect(await api(kit, 'GET', '/conversations/', { token: 'wrong' })).toMatchObject({
      status: 401,
      body: { detail: 'Invalid token.' },
    });
    expect(
      (await api(kit, 'POST', '/webhooks/whatsapp/', { token: null, json: { From: 'a', Body: 'b' } })).status,
    ).toBe(401);
    const c = connectorFor(kit, 'wrong');
    await expect(c.authenticate()).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('Invalid token'),
    });
    await c.close();
    // Assistify's tokens are static API tokens: nothing expires, so there is nothing to refresh.
    expect((sim as ProviderSim).expireTokens).toBeUndefined();
  });

  it('WebSocket at the origin root: agent messages are stored, recorded and echoed', async () => {
    const { token } = sim.credentials();
    const url = `${kit.origin.replace('http', 'ws')}/ws/chat/1/`;
    await expect(openSocket(url)).rejects.toThrow(/401/);
    await expect(openSocket(url + '?token=wrong')).rejects.toThrow(/401/);
    await expect(
      openSocket(`${kit.origin.replace('http', 'ws')}/ws/chat/777/?token=${token}`),
    ).rejects.toThrow(/404/);
    const a = await openSocket(url, { authorization: `Bearer ${token}` });
    const b = await openSocket(`${url}?token=${token}`);
    const echoA = nextFrame(a);
    const echoB = nextFrame(b);
    a.send(JSON.stringify({ message: 'Hello!' }));
    for (const frame of [await echoA, await echoB])
      expect(frame).toMatchObject({
        id: expect.any(Number),
        conversation_id: 1,
        sender: 'agent',
        content: 'Hello!',
        created_at: expect.stringMatching(ISO),
      });
    expect(kit.sent.at(-1)).toMatchObject({ to: '1', text: 'Hello!' });

    const pushed = nextFrame(a);
    await api(kit, 'POST', '/messages/process_message/', {
      json: { content: 'Thanks!', conversation_id: 1 },
    });
    expect(await pushed).toMatchObject({ sender: 'customer', content: 'Thanks!', sentiment: 'positive' });

    const refused = nextFrame(a);
    a.send('not json');
    expect(await refused).toEqual({ error: expect.any(String) });
    const empty = nextFrame(a);
    a.send(JSON.stringify({ message: ' ' }));
    expect(await empty).toEqual({ error: 'message is required' });
    a.close();
    b.close();
  });
});

describe('assistify simulator: strict mode, only what the document shows', () => {
  const sim = createSimulator({ seed: 1, strict: true });
  const kit = new SimKit(sim);
  beforeAll(() => kit.listen());
  afterAll(() => kit.close());
  const wsUrl = (id: number) => `${kit.origin.replace('http', 'ws')}/ws/chat/${id}/?token=${sim.token}`;
  const DOC_FIELDS = ['channel', 'created_at', 'customer_id', 'id', 'status'];

  it('says it is strict; conversations carry customer_id only', async () => {
    expect(sim.strict).toBe(true);
    expect(createSimulator({ seed: 1 }).strict).toBe(false);
    const list = (await api(kit, 'GET', '/conversations/')).body as Json[];
    expect(list.length).toBeGreaterThan(0);
    for (const c of list) expect(Object.keys(c).sort()).toEqual(DOC_FIELDS);
    const closed = await api(kit, 'POST', `/conversations/${String(list[0].id)}/close_conversation/`);
    expect(Object.keys(closed.body as Json).sort()).toEqual(DOC_FIELDS);
  });

  it('has neither the message feed nor a conversation detail route (the document lists neither)', async () => {
    const since = new Date(Date.now() - 86400_000).toISOString();
    expect(await api(kit, 'GET', `/messages/?created_at__gte=${since}`)).toMatchObject({
      status: 404,
      body: { detail: 'Not found.' },
    });
    expect(await api(kit, 'GET', '/conversations/1/')).toMatchObject({
      status: 404,
      body: { detail: 'Not found.' },
    });
    expect((await api(kit, 'GET', '/messages/get_conversation_messages/?conversation_id=1')).status).toBe(
      200,
    );
  });

  it('socket: a frame is stored as an agent message; no id comes back, the writer hears nothing', async () => {
    const writer = await openSocket(wsUrl(2));
    const other = await openSocket(wsUrl(2));
    const toWriter = framesOf(writer);
    const toOther = framesOf(other);
    writer.send(JSON.stringify({ message: 'Hello!' }));
    await until(() => (toOther.length ? true : undefined), 1000);
    const history = (await api(kit, 'GET', '/messages/get_conversation_messages/?conversation_id=2'))
      .body as Json[];
    expect(history.at(-1)).toMatchObject({ sender: 'agent', content: 'Hello!', id: expect.any(Number) });
    expect(kit.sent.at(-1)).toMatchObject({ to: '2', text: 'Hello!' });
    expect(toOther).toEqual([{ message: 'Hello!' }]);

    sim.world.addMessage(2, 'customer', 'Thanks!');
    await until(() => (toWriter.length ? true : undefined), 1000);
    expect(toWriter).toEqual([{ message: 'Thanks!' }]);

    // A frame it cannot take is dropped without a word, and nothing is stored or recorded.
    const sent = kit.sent.length;
    writer.send('not json');
    writer.send(JSON.stringify({ message: 'x'.repeat(5000) }));
    await sleep(200);
    expect(toWriter).toHaveLength(1);
    expect(kit.sent).toHaveLength(sent);
    writer.close();
    other.close();
  });
});

describe.each(MODES)('assistify faults (strict: $strict)', ({ strict }) => {
  const sim = createSimulator({ seed: 1, strict });
  const kit = new SimKit(sim);
  let c: ProviderConnector;
  beforeAll(async () => {
    await kit.listen();
    c = connectorFor(kit);
  });
  afterAll(async () => {
    await c.close();
    await kit.close();
  });

  it('down: 503 and refused WebSocket upgrades; the connector fails transiently', async () => {
    kit.setFaults({ down: true });
    expect((await api(kit, 'GET', '/conversations/')).status).toBe(503);
    await expect(
      openSocket(`${kit.origin.replace('http', 'ws')}/ws/chat/1/?token=${sim.token}`),
    ).rejects.toThrow(/503/);
    const err = (await c.backfill(null).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.transient).toBe(true);
    await expect(c.send(refOf('1'), 'while down', 'k1')).rejects.toMatchObject({ kind: 'network' });
    expect(kit.sent).toHaveLength(0);
    kit.setFaults({ down: false });
  });

  it('latency: slower, still correct', async () => {
    kit.setFaults({ latencyMs: 250 });
    const t0 = Date.now();
    await c.authenticate();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    kit.setFaults({ latencyMs: 0 });
  });

  it('error rate: 500 in the {error} envelope, a server error for the connector', async () => {
    kit.setFaults({ errorRate: 1 });
    expect(await api(kit, 'GET', '/conversations/')).toMatchObject({
      status: 500,
      body: { error: 'Internal server error' },
    });
    await expect(c.poll(null)).rejects.toMatchObject({ kind: 'server', status: 500 });
    kit.setFaults({ errorRate: 0 });
  });

  it('429 storm: Retry-After; the connector waits and retries', async () => {
    kit.setFaults({ rateLimit: true });
    const r = await api(kit, 'GET', '/conversations/');
    expect(r.status).toBe(429);
    // The document promises no rate-limit header: strict mode sends none, and the client backs off by itself.
    expect(r.headers.get('retry-after')).toBe(strict ? null : '1');
    expect(r.body).toEqual({ detail: expect.any(String) });
    const pending = c.authenticate();
    setTimeout(() => kit.setFaults({ rateLimit: false }), 1200);
    await expect(pending).resolves.toBeUndefined();
  });

  it('malformed JSON: ProviderError malformed', async () => {
    kit.setFaults({ malformed: 1 });
    await expect(c.backfill(null)).rejects.toMatchObject({ kind: 'malformed' });
    kit.setFaults({ malformed: 0 });
  });

  it('responses of the wrong shape are malformed, not partial data', async () => {
    const odd = createSimulator({ seed: 1, strict });
    const wrong: ProviderSim = Object.assign(Object.create(odd) as AssistifySimulator, {
      handle: () => ({ status: 200, body: { conversations: 'nope' } }),
    });
    const oddKit = new SimKit(wrong);
    await oddKit.listen();
    const oc = connectorFor(oddKit);
    await expect(oc.backfill(null)).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('/conversations/'),
    });
    await oc.close();
    await oddKit.close();
  });

  it('rate limits: documented windows client-side; a tightened server limit makes it wait, not fail', async () => {
    const windows = connectorFor(kit);
    for (let i = 0; i < 100; i++) await windows.http.limiter.take();
    expect(windows.http.limiter.delay()).toBeGreaterThan(55_000);
    await windows.close();

    const tight = new SimKit(createSimulator({ seed: 1, strict }));
    await tight.listen();
    let answered = 0;
    let throttled = 0;
    tight.server.on('request', (_req, res) =>
      res.on('finish', () => (res.statusCode === 429 ? throttled++ : answered++)),
    );
    tight.setFaults({ rateLimit: 5 });
    const tc = connectorFor(tight);
    for (let i = 0; i < 5; i++) await tc.authenticate();
    const abort = new AbortController();
    let settled = false;
    const sixth = tc.http
      .json('GET', '/conversations/', { signal: abort.signal })
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    await sleep(900);
    expect(answered).toBe(5);
    expect(throttled).toBe(1);
    expect(settled).toBe(false); // waiting, not failed
    // With Retry-After it waits as long as told; without (strict: the document promises no header) it backs off.
    if (!strict) expect(tc.http.limiter.delay()).toBeGreaterThan(30_000);
    abort.abort();
    expect(await sixth).toBeInstanceOf(ProviderError);
    await tc.close();
    await tight.close();
  });
});

describe.each(MODES)('assistify connector against the simulator (strict: $strict)', ({ strict }) => {
  const sim = createSimulator({ seed: 1, strict });
  const kit = new SimKit(sim);
  let c: ProviderConnector;
  let pollCursor: string | null = null;
  beforeAll(async () => {
    await kit.listen();
    c = connectorFor(kit);
  });
  afterAll(async () => {
    await c.close();
    await kit.close();
  });

  const poll = async () => {
    const b = await c.poll(pollCursor);
    pollCursor = b.cursor;
    return b;
  };
  const diagnostic = (topic: string) => c.diagnostics!().find((d) => d.topic === topic)!;

  it('declares honest capabilities', () => {
    expect(c.provider).toBe('assistify');
    expect(c.capabilities).toMatchObject({
      realtime: 'websocket',
      broadcast: 'fanout',
      flows: 'none',
      templates: false,
      markRead: false,
    });
    expect(c.capabilities.unavailable.flows).toBe('Assistify has no chatbot flow API');
    expect(3_600_000 / c.pollIntervalMs.live).toBeLessThanOrEqual(800);
  });

  it('authenticates', async () => {
    await expect(c.authenticate()).resolves.toBeUndefined();
  });

  it('full backfill equals the simulator, newest first, with Assistify extras in meta', async () => {
    const batches = await backfillAll(c);
    const convs = batches.flatMap((b) => b.conversations);
    const msgs = batches.flatMap((b) => b.messages);
    expect(new Set(convs.map((x) => x.externalId)).size).toBe(sim.world.conversations.size);
    expect(new Set(msgs.map((m) => m.externalId)).size).toBe(sim.world.messages.length);
    expect(msgs).toHaveLength(sim.world.messages.length);
    const created = convs.map((x) => sim.world.conversations.get(Number(x.externalId))!.createdAt);
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const first = sim.world.messages.find((m) => m.sender === 'customer')!;
    const inbound = msgs.find((m) => m.externalId === `${first.conversationId}:${first.id}`);
    expect(inbound).toMatchObject({
      direction: 'in',
      text: first.content,
      type: 'text',
      status: 'received',
      createdAt: new Date(first.createdAt).toISOString(),
      meta: { intent: first.intent, sentiment: first.sentiment, confidence: first.confidence },
    });
    // "customer" is the document's own sender value: no guess about the side.
    expect(inbound?.directionInferred).toBeUndefined();
    const agent = msgs.find((m) => m.direction === 'out')!;
    expect(agent.meta).toBeUndefined();
    const conv = convs[0];
    const who = sim.world.customers.get(sim.world.conversations.get(Number(conv.externalId))!.customerId)!;
    expect(conv.contact).toMatchObject(
      strict
        ? { externalId: String(who.id), name: `Customer ${who.id}`, handle: '', tags: [] }
        : { externalId: String(who.id), name: who.name, handle: who.handle, tags: who.tags },
    );
    expect(diagnostic('contacts')).toMatchObject({
      reading: expect.stringContaining(strict ? 'customer_id only' : 'customer object'),
      confirmed: true,
    });
  });

  it('an interrupted backfill resumes where it stopped', async () => {
    const one = connectorFor(kit);
    const first = await one.backfill(null);
    await one.close();
    const two = connectorFor(kit);
    const rest: SyncBatch[] = [];
    for (let cursor = first.cursor, done = first.done; !done;) {
      const b = await two.backfill(cursor);
      rest.push(b);
      cursor = b.cursor;
      done = b.done;
    }
    await two.close();
    const firstIds = new Set(first.conversations.map((x) => x.externalId));
    const restIds = rest.flatMap((b) => b.conversations.map((x) => x.externalId));
    expect(restIds.some((id) => firstIds.has(id))).toBe(false);
    expect(firstIds.size + restIds.length).toBe(sim.world.conversations.size);
  });

  it('poll: new customers, inbound and outbound messages, status changes, each once', async () => {
    const closing = [...sim.world.conversations.values()].find((x) => x.status === 'active')!;
    await api(kit, 'POST', `/conversations/${closing.id}/close_conversation/`);
    const firstRound = await poll();
    expect(firstRound.done).toBe(true);
    expect(firstRound.conversations.find((x) => x.externalId === String(closing.id))?.status).toBe(
      'resolved',
    );

    const inbound = sim.inbound({ text: 'Olá! Is there a discount for students? 🎓' });
    const agentText = `agent reply ${Date.now()}`;
    await c.send(refOf(inbound.conversationId), agentText, 'idem-1');
    const b = await poll();
    const key = `${inbound.conversationId}:${inbound.messageId}`;
    expect(b.messages.find((m) => m.externalId === key)).toMatchObject({
      direction: 'in',
      meta: { intent: 'purchase' },
    });
    expect(b.messages.filter((m) => m.text === agentText)).toEqual([
      expect.objectContaining({ direction: 'out', status: 'sent' }),
    ]);
    const conv = b.conversations.find((x) => x.externalId === inbound.conversationId);
    expect(conv?.status).toBe('open');
    expect(conv?.lastActivityAt).toBe(b.messages.find((m) => m.text === agentText)?.createdAt);

    const again = await poll();
    expect(again.messages).toEqual([]);
    expect(diagnostic('discovery')).toMatchObject({
      reading: expect.stringContaining(strict ? 'absent here' : 'which answers here'),
      confirmed: true,
    });
  });

  it('poll: the message feed is asked every round where it answers, never again where it is absent', async () => {
    const seen = requestsTo(kit);
    for (let i = 0; i < 4; i++) await poll();
    expect(feedRequests(seen)).toHaveLength(strict ? 0 : 4);
    // Strict: the documented conversation list, newest first, is all a quiet round asks for.
    if (strict)
      expect(seen.every((r) => r.startsWith('GET /api/conversations/?ordering=-created_at'))).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('poll: many new customers at once are all found, with a bounded number of requests per round', async () => {
    const seen = requestsTo(kit);
    const news = Array.from({ length: 8 }, (_, i) =>
      sim.inbound({ text: `new customer ${i} ${Date.now()}` }),
    );
    const found = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const before = seen.length;
      const b = await poll();
      b.messages.forEach((m) => found.add(m.externalId));
      expect(seen.length - before).toBeLessThanOrEqual(strict ? 4 : 2);
    }
    for (const n of news) expect(found).toContain(`${n.conversationId}:${n.messageId}`);
  });

  it('send: exactly once at the provider, confirmed with the id poll and findSent use', async () => {
    const target = activeConversationOfReturningCustomer(sim);
    const since = new Date().toISOString();
    const text = `Your refund is on its way 💸 ${Date.now()}`;
    const sent = await c.send(refOf(String(target.id)), text, 'idem-2');
    expect(kit.sent.filter((s) => s.text === text)).toEqual([
      { to: String(target.id), text, at: expect.any(String) },
    ]);
    expect(sent).toMatchObject({
      externalId: expect.stringMatching(new RegExp(`^${target.id}:\\d+$`)),
      status: 'sent',
    });
    expect(await c.findSent(refOf(String(target.id)), text, since)).toEqual([sent]);
    expect(
      await c.findSent(refOf(String(target.id)), text, new Date(Date.now() + 60_000).toISOString()),
    ).toEqual([]);
    // Read back by a later round, the reply carries the id the send answered (strict: a round reads a
    // conversation only when it is new or a frame pointed at it, and neither happened here).
    const back = (await poll()).messages.filter((m) => m.text === text).map((m) => m.externalId);
    expect(back).toEqual(strict ? [] : [sent.externalId]);
    expect(diagnostic('send')).toMatchObject({
      reading: expect.stringMatching(
        strict
          ? /: 0 confirmed by an echo with an id, [1-9]\d* by reading/
          : /: [1-9]\d* confirmed by an echo/,
      ),
      confirmed: true,
    });
    expect(diagnostic('direction').confirmed).toBe(true);
  });

  it('send: the same text twice is two replies, each confirmed once and never sent again', async () => {
    const target = activeConversationOfReturningCustomer(sim);
    const text = `ok ${Date.now()}`;
    const first = await c.send(refOf(String(target.id)), text, 'idem-twice-1');
    const second = await c.send(refOf(String(target.id)), text, 'idem-twice-2');
    expect(second.externalId).not.toBe(first.externalId);
    expect(kit.sent.filter((s) => s.text === text)).toHaveLength(2);
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(await c.findSent(refOf(String(target.id)), text, since)).toEqual([first, second]);
  });

  it('send: a frame the provider does not store is refused or unconfirmed, never retried blindly', async () => {
    const before = kit.sent.length;
    const err = (await c
      .send(refOf('1'), 'x'.repeat(5000), 'idem-3')
      .catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    // Default: the socket answers {error}. Strict: it says nothing, so the outcome is unknown.
    expect(err.kind).toBe(strict ? 'unconfirmed' : 'client');
    expect(err.transient).toBe(false);
    expect(kit.sent).toHaveLength(before);
    expect(diagnostic('send').reading).toContain(strict ? '1 unconfirmed' : '0 unconfirmed');
  });

  it('close: resolving calls the documented close_conversation; reopening asks nothing', async () => {
    const target = [...sim.world.conversations.values()].find((x) => x.status === 'active')!;
    const seen = requestsTo(kit);
    await c.setConversationStatus!(refOf(String(target.id)), 'resolved');
    expect(seen).toEqual([`POST /api/conversations/${target.id}/close_conversation/`]);
    expect(sim.world.conversations.get(target.id)?.status).toBe('closed');
    await c.setConversationStatus!(refOf(String(target.id)), 'open');
    expect(seen).toHaveLength(1);
    expect(diagnostic('status').confirmed).toBe(true);
    // The provider's closed status comes back with the next conversation list (the feed path reads one
    // every 20th round).
    let reported: RemoteConversation | undefined;
    for (let i = 0; i < 21 && !reported; i++)
      reported = (await poll()).conversations.find((x) => x.externalId === String(target.id));
    expect(reported?.status).toBe('resolved');
  });

  it('realtime: live, inbound pushed within 1 s, down and back up', async () => {
    const events: RealtimeEvent[] = [];
    const states: string[] = [];
    const unsubscribe = await c.subscribe!({
      onEvent: (e) => events.push(e),
      onState: (s) => states.push(s),
    });
    await until(() => (states.includes('live') ? true : undefined), 2000);

    const target = activeConversationOfReturningCustomer(sim);
    const who = sim.world.customers.get(target.customerId)!;
    const t0 = Date.now();
    const { conversationId, messageId } = sim.inbound({
      contact: { handle: who.handle },
      text: 'Still waiting…',
    });
    expect(conversationId).toBe(String(target.id));
    const key = `${conversationId}:${messageId}`;
    if (strict) {
      // The frame carries no id: it only says the conversation changed, and the next round reads it.
      await until(() => events.find((e) => e.kind === 'resync'), 1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(events.some((e) => e.kind === 'message')).toBe(false);
      expect((await poll()).messages.find((m) => m.externalId === key)).toMatchObject({
        direction: 'in',
        text: 'Still waiting…',
      });
    } else {
      const pushed = await until(
        () =>
          events.find(
            (e): e is { kind: 'message'; message: RemoteMessage; conversation?: RemoteConversation } =>
              e.kind === 'message',
          ),
        1000,
      );
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(pushed.message).toMatchObject({ externalId: key, direction: 'in', text: 'Still waiting…' });
      expect(pushed.conversation?.externalId).toBe(conversationId);
      expect((await poll()).messages.find((m) => m.text === 'Still waiting…')?.externalId).toBe(key);
    }
    expect(diagnostic('realtime').reading).toContain(strict ? 'no message id' : 'with its id');

    kit.setFaults({ down: true });
    await until(() => (states.at(-1) === 'down' ? true : undefined), 2000);
    kit.setFaults({ down: false });
    await until(() => (states.at(-1) === 'live' ? true : undefined), 5000);
    unsubscribe();
  });
});

describe.each(MODES)(
  'assistify connector when the socket writes as the customer (strict: $strict)',
  ({ strict }) => {
    // A reading the document allows: the chat socket is the customer's widget, so what it takes is stored as
    // the customer's message. The reply did reach Assistify, but not as the agent's: the agent must check.
    const sim = createSimulator({ seed: 3, strict });
    const addMessage = sim.world.addMessage.bind(sim.world);
    sim.world.addMessage = (id, sender, content, at) =>
      addMessage(id, sender === 'agent' ? 'customer' : sender, content, at);
    const kit = new SimKit(sim);
    let c: ProviderConnector;
    beforeAll(async () => {
      await kit.listen();
      c = connectorFor(kit);
    });
    afterAll(async () => {
      await c.close();
      await kit.close();
    });

    it('the reply is unconfirmed, said so, and not sent again', async () => {
      const text = `as the customer ${Date.now()}`;
      const err = (await c.send(refOf('1'), text, 'k').catch((e: unknown) => e)) as ProviderError;
      expect(err).toMatchObject({
        kind: 'unconfirmed',
        message: expect.stringContaining('customer’s own message'),
      });
      expect(kit.sent.filter((s) => s.text === text)).toHaveLength(1);
      expect(await c.findSent(refOf('1'), text, new Date(Date.now() - 60_000).toISOString())).toEqual([]);
      expect(c.diagnostics!().find((d) => d.topic === 'send')).toMatchObject({
        reading: expect.stringContaining("stored by Assistify as the customer's own message"),
        confirmed: false,
      });
    });
  },
);

describe.each(MODES)('assistify connector when messages name no sender (strict: $strict)', ({ strict }) => {
  // The document shows `sender` on its one message example; a server may leave it out. Then nothing says which
  // side wrote a message: each is inbound and marked inferred, and this app's replies are still found.
  const real = createSimulator({ seed: 4, strict });
  const withoutSender = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(withoutSender)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'sender'))
        : v;
  const server: ProviderSim = Object.assign(Object.create(real) as AssistifySimulator, {
    handle: async (req: Parameters<ProviderSim['handle']>[0]) => {
      const reply = await real.handle(req);
      return { ...reply, body: withoutSender(reply.body) };
    },
  });
  const kit = new SimKit(server);
  let c: ProviderConnector;
  beforeAll(async () => {
    await kit.listen();
    c = connectorFor(kit);
  });
  afterAll(async () => {
    await c.close();
    await kit.close();
  });

  it('every message is inbound and inferred; a reply is confirmed once and found again', async () => {
    const msgs = (await backfillAll(c)).flatMap((b) => b.messages);
    expect(msgs.length).toBe(real.world.messages.length);
    expect(msgs.every((m) => m.direction === 'in' && m.directionInferred === true)).toBe(true);
    const text = `no sender ${Date.now()}`;
    const since = new Date().toISOString();
    const sent = await c.send(refOf('1'), text, 'k');
    expect(kit.sent.filter((s) => s.text === text)).toHaveLength(1);
    const found = await c.findSent(refOf('1'), text, since);
    expect(found.map((m) => m.externalId)).toEqual([sent.externalId]);
    const direction = c.diagnostics!().find((d) => d.topic === 'direction')!;
    // Default mode's socket echo still names the agent; strict's carries nothing, and the read has no sender.
    expect(direction.confirmed).toBe(!strict);
    expect(direction.reading).toMatch(strict ? /0 with a sender, 1 without/ : /1 with a sender, 0 without/);
  });
});

describe.each(MODES)(
  'assistify connector against a quirkier server of the same document (strict: $strict)',
  ({ strict }) => {
    // String ids everywhere and every list reversed: the document promises neither types nor ordering.
    const reshape = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reshape).reverse();
      if (v && typeof v === 'object')
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => [
            k,
            k.endsWith('id') && typeof x === 'number' ? String(x) : reshape(x),
          ]),
        );
      return v;
    };
    const real = createSimulator({ seed: 5, strict });
    const quirky: ProviderSim = Object.assign(Object.create(real) as AssistifySimulator, {
      handle: async (req: Parameters<ProviderSim['handle']>[0]) => {
        const reply = await real.handle(req);
        return { ...reply, body: reshape(reply.body) };
      },
    });
    const kit = new SimKit(quirky);
    let c: ProviderConnector;
    beforeAll(async () => {
      await kit.listen();
      c = connectorFor(kit);
    });
    afterAll(async () => {
      await c.close();
      await kit.close();
    });

    it('backfill and poll give the same externalIds as ever, each message once', async () => {
      const msgs = (await backfillAll(c)).flatMap((b) => b.messages);
      expect(new Set(msgs.map((m) => m.externalId))).toEqual(
        new Set(real.world.messages.map((m) => `${m.conversationId}:${m.id}`)),
      );

      let cursor = (await c.poll(null)).cursor;
      const a = real.inbound({ text: 'first new customer' });
      const b = real.inbound({ text: 'second new customer' });
      const batch = await c.poll(cursor);
      cursor = batch.cursor;
      expect(batch.messages.map((m) => m.externalId).sort()).toEqual(
        [`${a.conversationId}:${a.messageId}`, `${b.conversationId}:${b.messageId}`].sort(),
      );
      expect(batch.conversations.map((x) => x.externalId)).toEqual(
        expect.arrayContaining([a.conversationId, b.conversationId]),
      );
      expect((await c.poll(cursor)).messages).toEqual([]);
    });
  },
);
