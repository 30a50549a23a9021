// Provider input is untrusted. A tiny HTTP server impersonates ChatAPI (providers/chatapi.md shapes: `{data,
// pagination}` envelopes, rooms, messages) and serves hostile data: HTML and script in names and texts, absurd
// timestamps, wrong types, over-long ids and texts, deep nesting, lone surrogates, no list where one belongs,
// a 21 MB answer and a Retry-After of three thousand years. Channels pointed at it end with sanitised rows or a
// clear error; a real simulator channel beside them keeps syncing; nothing crashes and the database stays sound.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, waitFor } from '../helpers/api';

const AGENT = 'agent-1';
const HTML = '<img src=x onerror="alert(document.cookie)"><script>alert(1)</script>';
const DEEP = 50_000;
const DAY = 24 * 3600_000;

/** Rooms as JSON text: `"__DEEP__"` becomes arrays nested DEEP levels, which JSON.stringify could not write. */
function roomsJson(): string {
  const rooms: unknown[] = [
    {
      id: 'r-html',
      participants: [
        { id: AGENT },
        { id: 'c-html', full_name: HTML, username: '<b>handle</b>', email: '"><svg onload=alert(1)>' },
      ],
      meta: { tags: ['<i>vip</i>', 42, null, { nested: true }], platform: 'p'.repeat(5000) },
      last_message_at: '9999-12-31T23:59:59Z',
      // Moves on every read, so each poll reads this room's messages again.
      updated_at: new Date().toISOString(),
    },
    {
      id: 'r-types',
      participants: 'not a list',
      meta: [],
      name: { first: 'x' },
      last_message_at: -1,
      is_active: 'perhaps',
    },
    {
      id: 'r-deep',
      participants: [{ id: AGENT }, { id: 'c-deep', full_name: 'Deep Nest' }],
      meta: '__DEEP__',
      last_message_at: new Date(Date.now() - DAY).toISOString(),
    },
    { id: { $gt: '' }, participants: [] },
    { id: 'x'.repeat(500), participants: [] },
    'not an object',
    null,
  ];
  return JSON.stringify({ data: rooms, pagination: { page: 1, pages: 1, has_next: false } }).replace(
    '"__DEEP__"',
    '['.repeat(DEEP) + ']'.repeat(DEEP),
  );
}

const MESSAGES: Record<string, unknown[]> = {
  'r-html': [
    {
      id: 'm-html',
      sender_id: 'c-html',
      content: HTML,
      created_at: '9999-01-01T00:00:00Z',
      message_type: 'text',
    },
    {
      id: 'm-html',
      sender_id: 'c-html',
      content: HTML,
      created_at: '9999-01-01T00:00:00Z',
      message_type: 'text',
    },
    { id: 'm-huge', sender_id: 'c-html', content: 'A'.repeat(3_000_000), created_at: '2026-01-01T00:00:00Z' },
    { id: 'm-object', sender_id: { $ne: null }, content: { text: 'nested' }, created_at: 'not a date' },
    {
      id: 'm-controls',
      sender_id: 'c-html',
      content: 'nul \u0000, lone \ud800 surrogate, bidi \u202e',
      created_at: -5,
    },
    {
      id: 'm-agent',
      sender_id: AGENT,
      content: 'from the agent',
      message_type: 'exe',
      created_at: 1_700_000_000,
    },
    { id: null, content: 'no id' },
    { id: 'y'.repeat(300), content: 'id too long' },
    'a string',
    [],
  ],
  'r-types': [{ id: 'm-types', sender_id: 7, content: 12345, created_at: 1e300 }],
};

const HUGE = Buffer.alloc(21_000_000, 0x20);

/** Serves `/<mode>/api/v1/...`: `sanitised` hostile fields, `garbage` no list, `huge` 21 MB, `throttled` 429s. */
function hostileChatApi(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://hostile');
  const [, mode, , , ...rest] = url.pathname.split('/');
  const route = `/${rest.join('/')}`;
  const json = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
  if (route === '/clients/me') return json(200, JSON.stringify({ data: { user: { id: AGENT } } }));
  if (mode === 'throttled') return json(429, '{"detail":"slow down"}', { 'retry-after': '99999999999' });
  if (mode === 'garbage' && route === '/rooms')
    return json(200, JSON.stringify({ data: { $ref: '#' }, pagination: 'cyclic' }));
  if (mode === 'huge' && route === '/messages') return json(200, HUGE);
  if (route === '/rooms') return json(200, roomsJson());
  if (route === '/messages') {
    const items = MESSAGES[url.searchParams.get('room_id') ?? ''] ?? [];
    return json(200, JSON.stringify({ data: items, pagination: { has_next: false } }));
  }
  json(404, '{"detail":"Not found"}');
}

let sims: Simulators;
let core: Core;
let tmp: ReturnType<typeof tempDir>;
let hostile: http.Server;
let hostileOrigin: string;
const logLines: string[] = [];
const ids: Record<string, string> = {};
const updated: string[] = [];
let closed = false;

interface Conversation {
  id: string;
  channelId: string;
  contact: { name: string; handle: string; tags: string[]; platform?: string };
  lastActivityAt: string;
}
interface Message {
  id: string;
  text: string;
  type: string;
  direction: string;
  createdAt: string;
}

const conversationsOf = async (channelId: string) =>
  (await api<{ items: Conversation[] }>(core, 'GET', `/api/v1/conversations?channel=${channelId}&limit=100`))
    .body.items;
const messagesOf = async (conversationId: string) =>
  (await api<{ items: Message[] }>(core, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`))
    .body.items;
const channelError = async (id: string) =>
  (await api<{ items: { id: string; error?: string }[] }>(core, 'GET', '/api/v1/channels')).body.items.find(
    (c) => c.id === id,
  )?.error;

async function addHostile(mode: string): Promise<string> {
  const r = await api<{ id: string }>(core, 'POST', '/api/v1/channels', {
    provider: 'chatapi',
    name: `hostile ${mode}`,
    baseUrl: `${hostileOrigin}/${mode}/api/v1`,
    credentials: { apiKey: `key-${mode}` },
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

beforeAll(async () => {
  tmp = tempDir();
  hostile = http.createServer(hostileChatApi);
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
  hostileOrigin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  sims = await startSimulators({ seed: 17 });
  core = await createCore({ dataDir: tmp.dir, log: (line) => logLines.push(line) });
  core.events.on('message.updated', (m: { id: string; conversationId: string }) =>
    updated.push(m.conversationId),
  );
  Object.assign(
    ids,
    await addAllChannels(
      core,
      sims.providers().filter((p) => p.provider === 'chatapi'),
    ),
  );
  for (const mode of ['sanitised', 'garbage', 'huge', 'throttled']) ids[mode] = await addHostile(mode);
}, 30_000);

afterAll(async () => {
  if (!closed) await core?.close();
  await sims?.close();
  hostile?.closeAllConnections();
  await new Promise((r) => hostile?.close(r));
  tmp?.cleanup();
});

describe('a hostile provider', () => {
  it('stores its hostile fields sanitised: text as text, clamped times, bounded sizes, bad records skipped', async () => {
    const convs = await waitFor('hostile rooms', async () => {
      const c = await conversationsOf(ids.sanitised);
      return c.length === 3 ? c : null;
    });
    const now = Date.now();
    const sane = (iso: string) => Date.parse(iso) >= Date.UTC(2000, 0, 1) && Date.parse(iso) <= now + DAY;
    for (const c of convs) expect(c.lastActivityAt).toSatisfy(sane);

    const html = convs.find((c) => c.contact.name === HTML)!;
    expect(html.contact).toMatchObject({ handle: '<b>handle</b>', tags: ['<i>vip</i>', '42'] });
    expect(html.contact.platform!.length).toBeLessThanOrEqual(50);
    expect(convs.find((c) => c.contact.name === 'Deep Nest')).toBeDefined();

    const msgs = await waitFor('hostile messages', async () => {
      const m = await messagesOf(html.id);
      return m.length === 5 ? m : null;
    });
    const byText = (pred: (t: string) => boolean) => msgs.find((m) => pred(m.text));
    expect(byText((t) => t === HTML)).toBeDefined();
    expect(byText((t) => t.startsWith('AAAA'))!.text.length).toBeLessThanOrEqual(10_000);
    expect(byText((t) => t.startsWith('nul'))!.text).toBe('nul \u0000, lone \ufffd surrogate, bidi \u202e');
    expect(byText((t) => t === 'from the agent')).toMatchObject({ direction: 'out', type: 'other' });
    expect(byText((t) => t === '')).toMatchObject({ direction: 'in' });
    for (const m of msgs) expect(m.createdAt).toSatisfy(sane);

    const types = convs.find((c) => c.contact.name === 'Customer')!;
    expect(await waitFor('typed message', async () => (await messagesOf(types.id))[0])).toMatchObject({
      text: '12345',
    });
  }, 30_000);

  it('reads the same hostile data again without rewriting what it stored', async () => {
    const hostileConvs = new Set((await conversationsOf(ids.sanitised)).map((c) => c.id));
    const pollRound = () =>
      JSON.parse(core.store.syncState.get(ids.sanitised, 'poll').cursor ?? '{"round":0}').round as number;
    const from = pollRound();
    await waitFor('two more polls', () => pollRound() >= from + 2, 30_000, 250);
    expect(updated.filter((id) => hostileConvs.has(id))).toEqual([]);
  }, 40_000);

  it('puts a channel that answers garbage, 21 MB or an absurd Retry-After in a clear error', async () => {
    // The channel says it in a sentence; what was asked and answered is in the log.
    const expectations: [string, string, RegExp][] = [
      ['garbage', 'ChatAPI sent an answer the app could not read', /GET \/rooms returned no list in "data"/],
      ['huge', 'ChatAPI sent an answer the app could not read', /response too large/],
      [
        'throttled',
        'ChatAPI asked the app to wait 1 hour before sending more',
        /rate limited by the provider \(retry in 3600 s\)/,
      ],
    ];
    for (const [mode, sentence, detail] of expectations) {
      expect(await waitFor(`${mode} error`, () => channelError(ids[mode]), 20_000)).toBe(sentence);
      expect(logLines.some((l) => detail.test(l))).toBe(true);
    }
    expect(await conversationsOf(ids.garbage)).toEqual([]);
  }, 30_000);

  it('leaves the other channels syncing, the core healthy and the database sound', async () => {
    const text = `still here ${Date.now()}`;
    sims.kits.chatapi.sim.inbound({ text });
    expect(
      await waitFor('good channel', () => conversationWith(core, text, ids.chatapi), 20_000),
    ).toBeDefined();
    expect(await channelError(ids.chatapi)).toBeUndefined();
    expect((await api<{ status: string }>(core, 'GET', '/api/v1/health')).body.status).toBe('ok');
    expect(logLines.filter((l) => l.startsWith('internal error'))).toEqual([]);
    expect(core.store.integrityCheck()).toBe('ok');
  }, 30_000);

  it('does not hold the core open while a channel waits out a Retry-After', async () => {
    const started = Date.now();
    closed = true;
    await core.close();
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);
});

describe('the renderer', () => {
  /** Every source file under renderer/, for sinks that would turn provider text into markup or code. */
  const sources = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(tsx?|html)$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name));

  it('never injects text as HTML or code (React escapes what it renders as text)', () => {
    const files = sources(path.resolve('renderer'));
    expect(files.length).toBeGreaterThan(10);
    const sinks =
      /dangerouslySetInnerHTML|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|srcdoc|\beval\(|new Function\(/;
    const hits = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          sinks.test(line) ? [`${path.relative('.', f)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(hits).toEqual([]);
  });
});
