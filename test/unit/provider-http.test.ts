// The connectors' HTTP client against a real server on 127.0.0.1: kept-alive sockets, and every way an exchange
// can fail turned into a ProviderError an agent can read.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttp } from '../../main/providers/http';
import { caught } from '../helpers/provider-error';

let server: http.Server;
let base = '';
const connections: number[] = [];
const received: { method: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', body });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ok') return res.end(JSON.stringify({ ok: true, q: url.searchParams.get('q') }));
      if (url.pathname === '/echo') return res.setHeader('content-type', 'application/json').end(body);
      if (url.pathname === '/slow') return setTimeout(() => res.end('{}'), 2_000);
      if (url.pathname === '/moved-with-key')
        return res
          .writeHead(302, { location: `https://elsewhere.example/?k=${String(req.headers['x-api-key'])}` })
          .end();
      if (url.pathname === '/moved')
        return res.writeHead(301, { location: 'https://elsewhere.example/' }).end();
      if (url.pathname === '/huge') {
        res.setHeader('content-type', 'application/json');
        const chunk = Buffer.alloc(1_000_000, 'a');
        for (let i = 0; i < 21; i++) res.write(chunk);
        return res.end();
      }
      if (url.pathname === '/cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
        return setTimeout(() => res.destroy(), 20);
      }
      res.writeHead(404).end('{"message":"no such thing"}');
    });
  });
  server.on('connection', (s) => connections.push(s.remotePort ?? 0));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (timeoutMs?: number) => new ProviderHttp({ baseUrl: base, limits: [], timeoutMs });

describe('ProviderHttp', () => {
  it('reads JSON and sends the query; one kept-alive socket serves requests one after another', async () => {
    const c = client();
    const before = connections.length;
    for (let i = 0; i < 5; i++)
      expect(await c.json('GET', '/ok', { query: { q: `n${i}` } })).toEqual({ ok: true, q: `n${i}` });
    expect(connections.length - before).toBe(1);
  });

  it('runs many requests side by side without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const c = client();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => c.json('GET', '/ok', { query: { q: i } })),
    );
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(answers).toHaveLength(24);
    expect(warnings).toEqual([]);
  });

  it('sends a JSON body whole, whatever its characters', async () => {
    const text = 'Grüße, 你好 👋'.repeat(100);
    expect(await client().json('POST', '/echo', { json: { text } })).toEqual({ text });
    expect(received.at(-1)).toEqual({ method: 'POST', body: JSON.stringify({ text }) });
  });

  it('turns an error status into words from the body', async () => {
    const e = await caught(client().json('GET', '/missing'));
    expect(e.kind).toBe('not_found');
    expect(e.message).toBe('GET /missing: 404 no such thing');
  });

  it('gives up on a provider that does not answer in time', async () => {
    const e = await caught(client(300).json('GET', '/slow'));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('GET /slow: no answer within 0.3 s');
  });

  it('reports a provider it cannot reach', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await caught(
      new ProviderHttp({ baseUrl: `http://127.0.0.1:${port}`, limits: [] }).json('GET', '/ok'),
    );
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(/^GET \/ok: cannot reach the provider \(ECONNREFUSED\)$/);
  });

  it('does not follow a redirect: the base URL needs fixing', async () => {
    const e = await caught(client().json('GET', '/moved'));
    expect(e.kind).toBe('client');
    expect(e.message).toContain('redirects to https://elsewhere.example/');
    const key = 'sk-live-0123456789';
    const withKey = await caught(
      new ProviderHttp({ baseUrl: base, limits: [], auth: () => ({ 'X-API-Key': key }) }).json(
        'GET',
        '/moved-with-key',
      ),
    );
    expect(withKey.message).toContain('redirects to https://elsewhere.example/?k=[redacted]');
    expect(withKey.message).not.toContain(key);
  });

  it('refuses an answer over 20 MB, and one cut off halfway', async () => {
    expect((await caught(client().json('GET', '/huge'))).kind).toBe('malformed');
    const cut = await caught(client().json('GET', '/cut'));
    expect(cut.kind).toBe('network');
    expect(cut.message).toBe('GET /cut: connection dropped while reading');
  });

  it('close() ends a request in flight at once', async () => {
    const c = client();
    const pending = c.json('GET', '/slow');
    const t = performance.now();
    setTimeout(() => c.close(), 50);
    const e = await caught(pending);
    expect(e.message).toBe('GET /slow: request cancelled');
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});
