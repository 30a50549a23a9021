// The local API over real HTTP on loopback: auth, Host/Origin checks, the error envelope, validation.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { createCore, type Core } from '../../main/core';
import { tempDir } from '../helpers/tmp';
import { conv, msg, seedChannel } from '../helpers/seed';

let core: Core;
let tmp: ReturnType<typeof tempDir>;

/** Raw HTTP so tests control every header, Host included. */
function request(
  method: string,
  path: string,
  o: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
) {
  return new Promise<{ status: number; json: unknown; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== null) headers.authorization = `Bearer ${o.token ?? core.token}`;
      if (o.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const req = http.request(`${core.url}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
        });
      });
      req.on('error', reject);
      if (o.body !== undefined) req.write(o.body);
      req.end();
    },
  );
}

const errorCode = (r: { json: unknown }) => (r.json as { error?: { code?: string } }).error?.code;

beforeAll(async () => {
  tmp = tempDir();
  core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
  const ch = seedChannel(core.store);
  core.store.ingest.applyBatch(
    ch,
    [conv('x1', 'Ana García', '2026-01-01T10:00:00.000Z', ['vip'])],
    [msg('m1', 'x1', 'Where is my order?', '2026-01-01T10:00:00.000Z')],
    { live: true },
  );
});
afterAll(async () => {
  await core.close();
  tmp.cleanup();
});

describe('access', () => {
  it('answers health with the token, 401 without or with a wrong one', async () => {
    const ok = await request('GET', '/api/v1/health');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect((await request('GET', '/api/v1/health', { token: null })).status).toBe(401);
    const wrong = await request('GET', '/api/v1/health', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('unauthorized');
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign origins, with no CORS headers', async () => {
    const host = await request('GET', '/api/v1/health', { headers: { host: 'evil.example.com' } });
    expect(host.status).toBe(403);
    const origin = await request('GET', '/api/v1/health', {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(origin.status).toBe(403);
    expect(origin.headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (await request('GET', '/api/v1/health', { headers: { host: `localhost:${core.port}` } })).status,
    ).toBe(200);
  });

  it('serves the OpenAPI document generated from the contract', async () => {
    const doc = (await request('GET', '/api/docs.json')).json as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/conversations',
        '/api/v1/conversations/{id}/messages',
        '/api/v1/flows/{id}',
      ]),
    );
  });

  it('needs the token on socket.io too', async () => {
    const attempt = (token: string) =>
      new Promise<string>((resolve) => {
        const s = io(core.url, { auth: { token }, transports: ['websocket'], reconnection: false });
        s.on('connect', () => (s.close(), resolve('connected')));
        s.on('connect_error', (e) => (s.close(), resolve(e.message)));
      });
    expect(await attempt('wrong')).toBe('unauthorized');
    expect(await attempt(core.token)).toBe('connected');
  });
});

describe('reading the cache', () => {
  it('lists conversations and messages, and searches', async () => {
    const list = (await request('GET', '/api/v1/conversations?limit=10')).json as {
      items: { id: string; contact: { name: string } }[];
    };
    expect(list.items[0].contact.name).toBe('Ana García');
    const id = list.items[0].id;
    const msgs = (await request('GET', `/api/v1/conversations/${id}/messages`)).json as {
      items: { text: string }[];
    };
    expect(msgs.items.map((m) => m.text)).toEqual(['Where is my order?']);
    const hits = (await request('GET', '/api/v1/search?q=order')).json as {
      items: { conversationId: string }[];
    };
    expect(hits.items[0].conversationId).toBe(id);
  });
});

describe('bad input gets a 4xx with the error envelope, never a 5xx', () => {
  const cases: [string, string, string | Buffer | undefined, number][] = [
    ['POST', '/api/v1/channels', '{', 400],
    ['POST', '/api/v1/channels', '{"provider":"nope"}', 400],
    [
      'POST',
      '/api/v1/channels',
      '{"provider":"chatapi","name":"x","baseUrl":"javascript:alert(1)","credentials":{"apiKey":"k"}}',
      400,
    ],
    ['POST', '/api/v1/conversations/1/messages', '{"text": 5}', 400],
    ['POST', '/api/v1/conversations/1/messages', '{"text": "   "}', 400],
    ['POST', '/api/v1/conversations/999999/messages', '{"text": "hi"}', 404],
    ['POST', '/api/v1/conversations/abc/messages', '{"text": "hi"}', 404],
    ['POST', '/api/v1/conversations/1/messages', JSON.stringify({ text: 'x'.repeat(2_000_000) }), 413],
    ['POST', '/api/v1/conversations/1/messages', Buffer.from([0xff, 0xfe, 0x00]), 400],
    ['POST', '/api/v1/conversations/1/messages', '{"__proto__": {"admin": true}}', 400],
    ['POST', '/api/v1/conversations/1/messages', '{'.repeat(5000) + '}'.repeat(5000), 400],
    ['GET', '/api/v1/conversations?limit=-5', undefined, 400],
    ['GET', '/api/v1/conversations?cursor=%00%ff', undefined, 200],
    ['GET', '/api/v1/search?q=%22%2A%28NEAR', undefined, 200],
    ['PATCH', '/api/v1/flows/does-not-exist', '{"active": true}', 404],
    ['PATCH', '/api/v1/flows/1', '{"active": "yes"}', 400],
    ['DELETE', "/api/v1/outbox/1' OR 1=1", undefined, 404],
    ['GET', '/api/v1/nothing-here', undefined, 404],
  ];
  it.each(cases)('%s %s', async (method, path, body, status) => {
    const r = await request(method, path.replace(/ /g, '%20'), { body });
    expect(r.status).toBe(status);
    if (status >= 400)
      expect(r.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('is still healthy and the data unchanged afterwards', async () => {
    expect((await request('GET', '/api/v1/health')).status).toBe(200);
    expect(core.store.counts()).toEqual({ conversations: 1, messages: 1 });
  });
});
