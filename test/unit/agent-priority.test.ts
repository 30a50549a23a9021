// The rate limiter's two priorities and the HTTP client's report of each attempt. Sync (backfill, polls, history)
// may spend 80 % of each documented window; the agent's own actions the whole window, so a reply finds room
// during a backfill that spent sync's share. And a channel's health hears how every attempt ended, the moment it
// ended, however long the call it belongs to goes on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asAgentAction,
  asSync,
  ProviderHttp,
  RateLimiter,
  type ProviderError,
} from '../../main/providers/http';

const MINUTE = 60_000;

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function takeNow(l: RateLimiter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    expect(l.delay()).toBe(0);
    await l.take();
  }
}

describe('RateLimiter priorities', () => {
  it('sync stops at 80 % of a window; the agent still has the rest, and nothing goes past the limit', async () => {
    const c = clock();
    const l = new RateLimiter([{ limit: 10, windowMs: MINUTE }], c.now);
    await asSync(() => takeNow(l, 8));
    await asSync(async () => expect(l.delay()).toBeGreaterThan(MINUTE - 1));
    await asAgentAction(() => takeNow(l, 2));
    await asAgentAction(async () => expect(l.delay()).toBeGreaterThan(MINUTE - 1));
    // The window moves on: sync's first requests leave it, and sync may go again.
    c.advance(MINUTE + 1_000);
    await asSync(async () => expect(l.delay()).toBe(0));
  });

  it('agent requests count against sync’s share too, so the total never passes the limit', async () => {
    const c = clock();
    const l = new RateLimiter([{ limit: 5, windowMs: MINUTE }], c.now);
    await asAgentAction(() => takeNow(l, 4));
    await asSync(async () => expect(l.delay()).toBeGreaterThan(0));
    await asAgentAction(() => takeNow(l, 1));
    await asAgentAction(async () => expect(l.delay()).toBeGreaterThan(0));
  });

  it('keeps at least one request of a small window for the agent, and lets sync have one', async () => {
    const l = new RateLimiter([{ limit: 2, windowMs: MINUTE }], clock().now);
    await asSync(() => takeNow(l, 1));
    await asSync(async () => expect(l.delay()).toBeGreaterThan(0));
    await asAgentAction(() => takeNow(l, 1));
  });

  it('an agent action started inside sync’s context is the agent’s; outside both, a request is the agent’s', async () => {
    const l = new RateLimiter([{ limit: 10, windowMs: MINUTE }], clock().now);
    await asSync(() => takeNow(l, 8));
    await asSync(() => asAgentAction(() => takeNow(l, 1)));
    await takeNow(l, 1);
    expect(l.delay()).toBeGreaterThan(0);
  });

  it('a sync request waiting for its share lets an agent request through meanwhile', async () => {
    const l = new RateLimiter([{ limit: 5, windowMs: 400 }]);
    await asSync(() => takeNow(l, 4));
    const order: string[] = [];
    const sync = asSync(() => l.take().then(() => order.push('sync')));
    await asAgentAction(() => l.take().then(() => order.push('agent')));
    await sync;
    expect(order).toEqual(['agent', 'sync']);
  });
});

describe('ProviderHttp attempt reports', () => {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/down') return res.writeHead(503).end('{"message":"maintenance"}');
      if (req.url === '/missing') return res.writeHead(404).end('{"message":"no such thing"}');
      if (req.url === '/slow') return setTimeout(() => res.end('{}'), 1_000);
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function client(baseUrl = base) {
    const h = new ProviderHttp({ baseUrl, limits: [] });
    const heard: (ProviderError | null)[] = [];
    const stop = h.onAttempt((f) => heard.push(f));
    return { h, heard, stop };
  }

  it('a 5xx answer or no answer is a failure; any other answer is the provider reached', async () => {
    const { h, heard } = client();
    await h.json('GET', '/ok');
    await h.json('GET', '/missing').catch(() => undefined);
    await h.json('GET', '/down').catch(() => undefined);
    expect(heard.map((f) => f?.kind ?? 'answered')).toEqual(['answered', 'answered', 'server']);
    expect(heard[2]?.message).toBe('GET /down: 503 maintenance');

    const closed = client('http://127.0.0.1:1');
    await closed.h.json('GET', '/x').catch(() => undefined);
    expect(closed.heard.map((f) => f?.kind)).toEqual(['network']);
  });

  it('a request cancelled here is nobody’s failure, and a listener that stopped hears nothing', async () => {
    const { h, heard, stop } = client();
    const slow = h.json('GET', '/slow').catch((e: Error) => e);
    setTimeout(() => h.close(), 50);
    expect(await slow).toMatchObject({ kind: 'network' });
    expect(heard).toEqual([]);

    const other = client();
    other.stop();
    await other.h.json('GET', '/down').catch(() => undefined);
    expect(other.heard).toEqual([]);
    stop();
  });
});
