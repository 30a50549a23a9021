// The token gate decides on the route the router matched, not on the raw request line: every registered
// route that is not declared public answers 401 (or 400 for a target that is not a plain path) without
// the token, whatever spelling of its path reaches it, and no handler ever runs.
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../main/contract/routes';
import { rawRequest, startRecordingServer, type RecordingServer } from '../helpers/raw-http';
import { tempDir } from '../helpers/tmp';

let rec: RecordingServer;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir();
  fs.mkdirSync(path.join(tmp.dir, 'assets'));
  fs.writeFileSync(path.join(tmp.dir, 'index.html'), '<!doctype html><title>app</title>');
  fs.writeFileSync(path.join(tmp.dir, 'assets', 'app.js'), 'export {};');
  rec = await startRecordingServer({ rendererDir: tmp.dir });
});
afterAll(async () => {
  await rec.server.close();
  tmp.cleanup();
});

const withParams = (url: string) => url.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'x');
const pct = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** The path itself, then each character but "/" percent-encoded alone (lower- and upper-case hex). */
function encodedSpellings(p: string): string[] {
  const out = new Set<string>([p]);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '/') continue;
    for (const code of new Set([pct(p[i]), pct(p[i]).toUpperCase()]))
      out.add(p.slice(0, i) + code + p.slice(i + 1));
  }
  out.add(p.replace(/[^/]/g, pct));
  return [...out];
}

function targets(p: string, port: number): string[] {
  return encodedSpellings(p).flatMap((s) => [
    s,
    `/${s}`,
    `http://127.0.0.1:${port}${s}`,
    `http://localhost:${port}${s}`,
    `HTTP://127.0.0.1:${port}${s}`,
  ]);
}

function requestText(method: string, target: string, port: number, token?: string): string {
  const body = ['POST', 'PATCH', 'PUT'].includes(method) ? '{"text":"hello"}' : '';
  const headers = [
    `${method} ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: close',
    ...(token ? [`Authorization: Bearer ${token}`] : []),
    ...(body ? ['Content-Type: application/json', `Content-Length: ${body.length}`] : []),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** Run `fn` over `items`, a few at a time. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>, width = 8): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

describe('token gate', () => {
  it('declares public only the renderer files and the webhooks', () => {
    const open = rec.server.routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    expect(new Set(open)).toEqual(
      new Set([
        'GET /',
        'HEAD /',
        'GET /assets/*',
        'HEAD /assets/*',
        'GET /api/v1/webhooks/:channelId',
        'HEAD /api/v1/webhooks/:channelId',
        'POST /api/v1/webhooks/:channelId',
      ]),
    );
  });

  it('registers every contract route and the docs behind the token', () => {
    const gated = new Set(rec.server.routes.filter((r) => !r.public).map((r) => `${r.method} ${r.url}`));
    for (const r of Object.values(routes)) expect(gated).toContain(`${r.method} ${r.path}`);
    expect(gated).toContain('GET /api/docs.json');
  });

  it('answers 401 or 400 without the token to every spelling of every gated route', async () => {
    const port = rec.server.port;
    const cases = rec.server.routes
      .filter((r) => !r.public)
      .flatMap((r) => targets(withParams(r.url), port).map((target) => ({ method: r.method, target })));
    expect(cases.length).toBeGreaterThan(1000);
    const leaks: string[] = [];
    await inBatches(cases, async ({ method, target }) => {
      const res = await rawRequest(port, requestText(method, target, port));
      if (res.status !== 401 && res.status !== 400) leaks.push(`${method} ${target} -> ${res.status}`);
    });
    expect(leaks).toEqual([]);
    expect(rec.calls).toEqual([]);
  });

  it('refuses request targets that are not a single-slash path with 400', async () => {
    const port = rec.server.port;
    for (const [method, target] of [
      ['OPTIONS', '*'],
      ['GET', '*'],
      ['GET', '//api/v1/health'],
      ['GET', `http://127.0.0.1:${port}/`],
      ['GET', `http://127.0.0.1:${port}/api/v1/webhooks/1`],
    ]) {
      const res = await rawRequest(port, requestText(method, target, port, 'gate-test-token'));
      expect(res.status, `${method} ${target}`).toBe(400);
      expect(res.text).toContain('"bad_target"');
    }
    expect(rec.calls).toEqual([]);
  });

  it('serves only static files without the token, also as the fallback for unknown pages; other unknown paths need it', async () => {
    const port = rec.server.port;
    for (const target of ['/', '/assets/app.js', '/some/page', '/%61ssets/app.js']) {
      const res = await rawRequest(port, requestText('GET', target, port));
      expect(res.status, target).toBe(200);
    }
    const api = await rawRequest(port, requestText('GET', '/%61pi/v1/nothing-here', port));
    expect(api.status).toBe(401);
    const post = await rawRequest(port, requestText('POST', '/some/page', port));
    expect(post.status).toBe(401);
    expect(rec.calls).toEqual([]);
  });

  it('still reaches every gated route with the token', async () => {
    const port = rec.server.port;
    for (const r of rec.server.routes.filter((x) => !x.public)) {
      const res = await rawRequest(port, requestText(r.method, withParams(r.url), port, 'gate-test-token'));
      expect([401, 404], `${r.method} ${r.url} -> ${res.status}`).not.toContain(res.status);
    }
  });
});

describe('socket.io', () => {
  const attempt = (origin: string | undefined) =>
    new Promise<string>((resolve) => {
      const s = io(rec.server.url, {
        auth: { token: 'gate-test-token' },
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: origin === undefined ? {} : { origin },
      });
      s.on('connect', () => (s.close(), resolve('connected')));
      s.on('connect_error', () => (s.close(), resolve('refused')));
    });

  it('accepts the own origin and none, refuses "null", file:// and foreign origins even with the token', async () => {
    expect(await attempt(undefined)).toBe('connected');
    expect(await attempt(rec.server.url)).toBe('connected');
    for (const origin of ['null', 'file://', 'file:///app/index.html', 'https://evil.example'])
      expect(await attempt(origin), origin).toBe('refused');
  });
});
