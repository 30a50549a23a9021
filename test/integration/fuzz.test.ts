// Property-based fuzzing of the local API: random and hostile path ids, query strings, bodies and headers
// thrown at every route of the contract's table (and at paths outside it). Nothing may answer 5xx or drop
// the connection, every refusal carries the error envelope, the Host/Origin/token gates hold, no foreign
// origin gets CORS headers, and no stored row changes: every body sent is one the route's schema refuses.
// FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> sizes it.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { z } from 'zod';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { routes, type RouteDef } from '../../main/contract/routes';
import { tempDir } from '../helpers/tmp';
import { api } from '../helpers/api';
import { conv, msg, seedChannel } from '../helpers/seed';

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const TABLES = [
  'channels',
  'contacts',
  'conversations',
  'messages',
  'outbox',
  'broadcasts',
  'broadcast_recipients',
  'flows',
  'templates',
  'settings',
  'sync_state',
];

interface Route extends RouteDef {
  name: string;
}
const table: Route[] = Object.entries(routes).map(([name, r]) => ({ name, ...r }));
const changesData = (r: Route) => r.method !== 'GET';
/** A route that acts on no input at all (start the demo): only requests refused before it may reach it. */
const actsUnasked = (r: Route) => changesData(r) && !r.body && !r.params;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The table route it aims at, when it may reach that route's handler. */
  routeName?: string;
}
interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  error?: string;
}

let core: Core;
let tmp: ReturnType<typeof tempDir>;
const logLines: string[] = [];
const realIds = { conversations: [] as string[], channels: [] as string[], outbox: [] as string[] };
let sent = 0;

// ---- arbitraries -------------------------------------------------------------------------------------------

const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = JSON.parse('{"a":'.repeat(200) + 'null' + '}'.repeat(200)) as unknown;

const hostileText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    '9007199254740993',
    '99999999999999999999999',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    "1' OR '1'='1",
    '1; DROP TABLE messages; --',
    '<script>alert(1)</script>',
    '../../../etc/passwd',
    '\u0000',
    '\u202e',
    '\ud800',
    '𝕏'.repeat(60),
    'a'.repeat(201),
    'a'.repeat(20_000),
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    deepObject,
    Array.from({ length: 2000 }, (_, i) => i),
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** Values shaped like the schema (its field names, enum values, types) with hostile values mixed in anywhere. */
function shaped(js: JsonSchema): fc.Arbitrary<unknown> {
  const alternatives = js.anyOf ?? js.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(shaped));
  if (js.properties) {
    const fields = Object.entries(js.properties).map(
      ([k, p]) => [k, fc.oneof(shaped(p), hostileValue)] as const,
    );
    return fc.record(Object.fromEntries(fields), { requiredKeys: [] });
  }
  if (js.enum) return fc.constantFrom(...js.enum);
  if (js.const !== undefined) return fc.constant(js.const);
  const type = Array.isArray(js.type) ? js.type[0] : js.type;
  if (type === 'string') return fc.string({ maxLength: 30 });
  if (type === 'boolean') return fc.boolean();
  if (type === 'integer' || type === 'number') return fc.integer({ min: -5, max: 600 });
  if (type === 'array') return fc.array(js.items ? shaped(js.items) : hostileValue, { maxLength: 4 });
  return hostileValue;
}

const inputSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** A JSON body the route's schema refuses: a schema-valid draw gets a field no (strict) schema allows. */
function hostileBody(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fc.oneof(shaped(inputSchema(schema)), fc.jsonValue({ maxDepth: 3 })).map((v) => {
    if (!schema.safeParse(v).success) return v;
    const refused = { ...(v as object), unexpected: true };
    if (schema.safeParse(refused).success)
      throw new Error('fuzz setup: a body schema accepts unknown fields');
    return refused;
  });
}

function parsedJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Bytes that are not the JSON a route wants: broken, hostile or oversized. */
const rawBody = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc
    .constantFrom(
      '{',
      '}',
      '[',
      'nul',
      '{"a":',
      '"\\ud800"',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      '{"text":"a","text":"b"}',
      '1e999',
      '9'.repeat(5000),
      deepJson(100_000),
      '{"text":"' + '\\u0000'.repeat(3000) + '"}',
      '\ufeff{}',
    )
    .map((s) => Buffer.from(s)),
  fc.constant(Buffer.alloc(1_100_000, 0x20)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
);

/** Percent-encodes every byte outside the unreserved set (encodeURIComponent throws on lone surrogates). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');

const rawSegment = fc.constantFrom(
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%ff',
  '..',
  '.',
  '%2e%2e',
  '%252e',
  '*',
  "'",
  ';',
  '(',
  '//',
  '%2F',
);

function pathId(r: Route): fc.Arbitrary<string> {
  const hostile = fc.oneof(hostileText.map(pct), rawSegment);
  if (!r.params) return fc.constant('');
  // Real ids only where a body must pass validation first; with none, a real id would legitimately act,
  // so there no number that may name a stored row (ids are 1, 2, …; '007' reads as 7).
  if (!r.body) return hostile.filter((id) => !/^\d*[1-9]\d*$/.test(id));
  const real = [...realIds.conversations, ...realIds.channels, ...realIds.outbox, '1'];
  return fc.oneof(hostile, fc.constantFrom(...real));
}

function queryString(r: Route): fc.Arbitrary<string> {
  const known = r.query ? Object.entries(inputSchema(r.query).properties ?? {}) : [];
  const pair = fc.oneof(
    ...known.map(([k, js]) => fc.oneof(shaped(js), hostileText).map((v) => `${k}=${pct(String(v))}`)),
    fc
      .tuple(fc.constantFrom('__proto__', 'constructor', '', 'limit[]', 'a[b]', 'toString'), hostileText)
      .map(([k, v]) => `${pct(k)}=${pct(v)}`),
    fc.constantFrom('&', '=', '%', 'limit=%zz', 'q', 'q=&q=x', 'cursor=%00%ff', 'limit=1&limit=2'),
  );
  return fc.array(pair, { maxLength: 5 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : ''));
}

const METHODS_OFF_TABLE = ['PUT', 'OPTIONS', 'HEAD', 'TRACE', 'PATCH', 'DELETE'];

/** Headers: mostly a well-behaved client, sometimes a DNS-rebinding page, a foreign site or a bad token. */
function headersArb(): fc.Arbitrary<Record<string, string>> {
  const port = core.port;
  const host = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'evil.example',
        '127.0.0.1',
        `127.0.0.1:${port + 1}`,
        `LOCALHOST:${port}`,
        `127.0.0.1:${port}.evil.example`,
        `0.0.0.0:${port}`,
      ),
    },
  );
  const origin = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(`http://127.0.0.1:${port}`, `http://localhost:${port}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'null',
        'https://evil.example',
        `http://127.0.0.1:${port + 1}`,
        `http://localhost:${port}.evil.example`,
        'file://',
        `http://127.0.0.1:${port}/`,
      ),
    },
  );
  const token = core.token;
  const auth = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${token}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'Bearer ',
        `bearer ${token}`,
        `Bearer ${token} `,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}${token}`,
        `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
        token,
        'Bearer null',
      ),
    },
  );
  const extra = fc.oneof(
    { weight: 9, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Record<string, string>>(
        { 'x-forwarded-host': 'evil.example' },
        { 'x-http-method-override': 'DELETE' },
        { 'x-pad': 'a'.repeat(20_000) },
      ),
    },
  );
  return fc.record({ host, origin, auth, extra }).map(({ host, origin, auth, extra }) => ({
    host,
    ...(origin === undefined ? {} : { origin }),
    ...(auth === undefined ? {} : { authorization: auth }),
    ...extra,
  }));
}

/** One request at a route of the table: hostile ids, query and JSON (or raw) body. */
function routeRequest(r: Route): fc.Arbitrary<FuzzRequest> {
  const json = r.body ? hostileBody(r.body) : fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));
  const schema = r.body;
  const raw = schema ? rawBody.filter((b) => !schema.safeParse(parsedJson(b)).success) : rawBody;
  const body = fc.oneof(
    {
      weight: 4,
      arbitrary: json.map((v) => ({
        bytes: v === undefined ? undefined : Buffer.from(JSON.stringify(v)),
        type: 'application/json',
      })),
    },
    { weight: 1, arbitrary: fc.record({ bytes: raw, type: contentType }) },
  );
  return fc
    .record({ id: pathId(r), query: queryString(r), body, headers: headersArb() })
    .map(({ id, query, body, headers }) => ({
      method: r.method,
      path: r.path.replace(':id', id) + query,
      headers: body.bytes ? { ...headers, 'content-type': body.type } : headers,
      body: body.bytes,
      routeName: r.name,
    }));
}

/** Requests the routes of `actsUnasked` may get: each is refused before a handler runs. */
function refusedRequest(r: Route): fc.Arbitrary<FuzzRequest> {
  const refusal = fc.constantFrom<Partial<FuzzRequest>>(
    { headers: { host: `127.0.0.1:${core.port}` } },
    { headers: { host: 'evil.example', authorization: `Bearer ${core.token}` } },
    {
      headers: {
        host: `127.0.0.1:${core.port}`,
        origin: 'https://evil.example',
        authorization: `Bearer ${core.token}`,
      },
    },
    { headers: { host: `127.0.0.1:${core.port}`, authorization: `Bearer ${core.token}x` } },
    {
      headers: {
        host: `127.0.0.1:${core.port}`,
        authorization: `Bearer ${core.token}`,
        'content-type': 'application/json',
      },
      body: Buffer.from('{'),
    },
    {
      headers: {
        host: `127.0.0.1:${core.port}`,
        authorization: `Bearer ${core.token}`,
        'content-type': 'application/xml',
      },
      body: Buffer.from('<a/>'),
    },
  );
  return refusal.map((x) => ({ method: r.method, path: r.path, headers: {}, ...x }));
}

/** Paths outside the table: unknown routes, other methods, traversal, webhooks of unknown channels, socket.io. */
function strayRequest(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', ...METHODS_OFF_TABLE),
      path: fc.oneof(
        // Id 0 names nothing (SQLite ids start at 1), so another method at a table path cannot act either.
        fc.constantFrom(...table.filter((r) => !actsUnasked(r)).map((r) => r.path.replace(':id', '0'))),
        fc.constantFrom(
          '/',
          '/api',
          '/api/',
          '/api/v1',
          '/api/v2/health',
          '/api/docs.json',
          '/assets/../../../etc/passwd',
          '/assets/%2e%2e/%2e%2e/etc/passwd',
          '/index.html',
          '//api/v1/health',
          '/api/v1/health/',
          '/API/V1/HEALTH',
        ),
        hostileText.map((s) => `/api/v1/${pct(s)}`),
        hostileText.map((s) => `/api/v1/webhooks/${pct(s)}`),
        fc.constantFrom(
          '/socket.io/?EIO=4&transport=polling',
          '/socket.io/?EIO=3&transport=websocket',
          '/socket.io/?EIO=4&transport=polling&sid=nope',
          '/socket.io/?EIO=x',
        ),
      ),
      headers: headersArb(),
      body: fc.option(rawBody, { nil: undefined }),
    })
    .map((r) => ({
      ...r,
      headers: r.body ? { ...r.headers, 'content-type': 'application/json' } : r.headers,
    }));
}

function requestArb(): fc.Arbitrary<FuzzRequest> {
  const onTable = table.map((r) => (actsUnasked(r) ? refusedRequest(r) : routeRequest(r)));
  return fc.oneof({ weight: 5, arbitrary: fc.oneof(...onTable) }, { weight: 1, arbitrary: strayRequest() });
}

// ---- sending and judging -----------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function send(req: FuzzRequest): Promise<FuzzResponse> {
  sent++;
  return new Promise((resolve) => {
    const r = http.request(
      {
        host: '127.0.0.1',
        port: core.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        agent,
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) =>
          resolve({ status: 0, headers: {}, text: '', error: `response dropped: ${e.message}` }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error('no answer within 15 s')));
    // A request the server refuses before reading all of it (413, 431) may fail to finish writing; only a
    // missing answer counts as a dropped connection.
    r.on('error', (e) => resolve({ status: 0, headers: {}, text: '', error: e.message }));
    if (req.body) r.setHeader('content-length', req.body.length);
    r.end(req.body);
  });
}

/** What the three gates in front of every API route must answer, or null when the request passes them. */
function gateAnswer(req: FuzzRequest): number | null {
  // HTTP strips the whitespace around a header value before the server sees it.
  const header = (name: string) => req.headers[name]?.trim();
  const hosts = [`127.0.0.1:${core.port}`, `localhost:${core.port}`, `[::1]:${core.port}`];
  if (!hosts.includes(header('host') ?? '')) return 403;
  const origin = header('origin');
  if (origin !== undefined && !hosts.map((h) => `http://${h}`).includes(origin)) return 403;
  const p = req.path.split('?')[0];
  const guarded = p.startsWith('/api/') && !p.startsWith('/api/v1/webhooks/');
  if (guarded && header('authorization') !== `Bearer ${core.token}`) return 401;
  return null;
}

function decodes(p: string): boolean {
  try {
    decodeURIComponent(p);
    return true;
  } catch {
    return false;
  }
}

function hasEnvelope(text: string): boolean {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return typeof e?.code === 'string' && typeof e.message === 'string';
  } catch {
    return false;
  }
}

/** Everything wrong with one answer (empty: fine). */
function verdict(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  // Headers too large to read get a 431 with a body, which a HEAD client cannot parse: answered all the same.
  if (res.status === 0 && req.method === 'HEAD' && res.error?.includes('Data after `Connection: close`'))
    return [];
  if (res.status === 0) return [`connection dropped (${res.error})`];
  if (res.status >= 500) problems.push(`server error ${res.status}: ${res.text.slice(0, 200)}`);
  if (res.headers['access-control-allow-origin'] !== undefined) problems.push('CORS header sent');
  const socketIo = req.path.startsWith('/socket.io/');
  // Node refuses a request line and headers over 16 KiB before anything else looks at the request.
  const headBytes = req.path.length + Object.entries(req.headers).join('').length;
  const gate = headBytes > 16_384 ? 431 : socketIo ? null : gateAnswer(req);
  // A path with broken percent-encoding (400) or a segment over 100 characters (414) is refused before routing.
  const p = req.path.split('?')[0];
  const refusedUrl =
    (res.status === 400 && !decodes(p)) || (res.status === 414 && p.split('/').some((x) => x.length > 100));
  if (gate !== null && res.status !== gate && !refusedUrl)
    problems.push(`expected the gate's ${gate}, got ${res.status}`);
  if (res.status >= 400 && !socketIo && req.method !== 'HEAD' && !hasEnvelope(res.text))
    problems.push(`no error envelope: ${res.text.slice(0, 120)}`);
  const route = table.find((r) => r.name === req.routeName);
  if (route && changesData(route) && res.status < 400)
    problems.push(`hostile input accepted with ${res.status}`);
  return problems;
}

const describeRequest = (req: FuzzRequest) =>
  `${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 300)} body ${req.body?.subarray(0, 120).toString('utf8') ?? '(none)'}`;

// ---- data that must not change -----------------------------------------------------------------------------

function snapshot(): Record<string, unknown[]> {
  const db = new Database(path.join(core.dataDir, 'inbox.db'), { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

// ---- the tests ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  tmp = tempDir();
  core = await createCore({ dataDir: tmp.dir, log: (line) => logLines.push(line) });
  for (const provider of ['chatapi', 'chatpion'] as const) {
    const ch = seedChannel(core.store, crypto.randomUUID(), provider);
    realIds.channels.push(ch);
    const convs = [1, 2, 3].map((i) =>
      conv(`${ch}-c${i}`, `Customer ${i} <b>bold</b>`, `2026-01-0${i}T10:00:00.000Z`, ['vip']),
    );
    const msgs = convs.flatMap((c, i) =>
      [1, 2, 3, 4].map((j) =>
        msg(
          `${c.externalId}-m${j}`,
          c.externalId,
          `message ${j} of ${i} about order ${j * 7}`,
          `2026-01-0${i + 1}T10:0${j}:00.000Z`,
        ),
      ),
    );
    core.store.ingest.applyBatch(ch, convs, msgs, { live: false });
  }
  const list = await api<{ items: { id: string }[] }>(core, 'GET', '/api/v1/conversations?limit=100');
  realIds.conversations.push(...list.body.items.map((c) => c.id));
  const reply = await api<{ meta: { outboxId: string } }>(
    core,
    'POST',
    `/api/v1/conversations/${realIds.conversations[0]}/messages`,
    {
      text: 'queued before the fuzz',
    },
  );
  realIds.outbox.push(reply.body.meta.outboxId);
});

afterAll(async () => {
  agent.destroy();
  await core?.close();
  tmp?.cleanup();
});

describe('fuzzing the local API', () => {
  it('answers every hostile request with a 4xx envelope (or a harmless read), never a 5xx, and changes nothing', async () => {
    const before = snapshot();
    const arb = fc.array(requestArb(), { minLength: 1, maxLength: 8 });
    const started = Date.now();
    const failures: string[] = [];
    await fc.check(
      fc.asyncProperty(arb, async (batch) => {
        const answers = await Promise.all(batch.map(send));
        failures.push(
          ...batch.flatMap((req, i) =>
            verdict(req, answers[i]).map((p) => `${p}\n    ${describeRequest(req)}`),
          ),
        );
        return failures.length === 0;
      }),
      // No shrinking: the failing request is printed as it was sent, and megabyte bodies shrink slowly.
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(failures).toEqual([]);
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${sent} hostile requests in ${seconds.toFixed(1)} s, 0 server errors (seed ${SEED})`);
    expect(sent).toBeGreaterThanOrEqual(RUNS);

    expect((await api<{ status: string }>(core, 'GET', '/api/v1/health')).body.status).toBe('ok');
    expect(snapshot()).toEqual(before);
    expect(core.store.integrityCheck()).toBe('ok');
    expect(logLines.filter((l) => l.startsWith('internal error'))).toEqual([]);
    expect(logLines.filter((l) => l.includes(core.token))).toEqual([]);
  }, 60_000);

  it('refuses socket.io connections without the exact token, whatever the handshake carries', async () => {
    const attempt = (auth: unknown, extraHeaders: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const s = io(core.url, {
          auth: auth as Record<string, unknown>,
          extraHeaders,
          transports: ['websocket'],
          reconnection: false,
          timeout: 5000,
        });
        s.on('connect', () => (s.close(), resolve('connected')));
        s.on('connect_error', (e) => (s.close(), resolve(`refused: ${e.message}`)));
      });
    const hostileAuth = fc.oneof(
      fc.record({ token: hostileValue }),
      fc.constantFrom(
        {},
        { token: `${core.token} ` },
        { token: core.token.toUpperCase() },
        { token: [core.token] },
        { Token: core.token },
      ),
    );
    const outcomes = await Promise.all(
      fc.sample(hostileAuth, { seed: SEED, numRuns: 40 }).map((auth) => attempt(auth)),
    );
    expect(outcomes.filter((o) => o === 'connected')).toEqual([]);
    // The right token from a foreign origin or through a foreign Host is refused at the handshake.
    expect(await attempt({ token: core.token }, { origin: 'https://evil.example' })).toMatch(/^refused/);
    expect(await attempt({ token: core.token }, { host: 'evil.example' })).toMatch(/^refused/);
    expect(await attempt({ token: core.token })).toBe('connected');
    expect((await api(core, 'GET', '/api/v1/health')).status).toBe(200);
  }, 30_000);
});
