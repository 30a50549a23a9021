// The per-channel limiter: documented windows, and what it keeps across a restart.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../main/providers/http';
import { AccountLimiters } from '../../main/providers/limiters';

const MINUTE = 60_000;

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RateLimiter', () => {
  it('lets a window’s budget through, then waits until the oldest request leaves the window', async () => {
    const c = clock();
    const l = new RateLimiter([{ limit: 3, windowMs: MINUTE }], c.now);
    for (let i = 0; i < 3; i++) {
      expect(l.delay()).toBe(0);
      await l.take();
      c.advance(1_000);
    }
    // The first request was 3 s ago: it leaves the window (plus the slack) 57 s and a little from now.
    expect(l.delay()).toBeGreaterThan(57_000);
    expect(l.delay()).toBeLessThanOrEqual(57_000 + 1_000);
  });

  it('a restarted limiter remembers what the provider still counts, and a pause it asked for', async () => {
    const c = clock();
    const before = new RateLimiter([{ limit: 2, windowMs: MINUTE }], c.now);
    await before.take();
    await before.take();
    const kept = before.memory();

    const after = new RateLimiter([{ limit: 2, windowMs: MINUTE }], c.now);
    expect(after.delay()).toBe(0);
    after.recall(kept);
    expect(after.delay()).toBeGreaterThan(MINUTE - 1);

    c.advance(MINUTE + 1_000);
    expect(after.delay()).toBe(0);
    after.block(30_000);
    const again = new RateLimiter([{ limit: 2, windowMs: MINUTE }], c.now);
    again.recall(after.memory());
    expect(again.delay()).toBe(30_000);
  });

  it('ignores a memory it cannot read', () => {
    const l = new RateLimiter([{ limit: 1, windowMs: MINUTE }], clock().now);
    for (const bad of [null, '', 'not json', '{"stamps": "x"}', '[1,2]', '{"stamps":[null,"a"]}'])
      l.recall(bad);
    expect(l.delay()).toBe(0);
  });

  it('a limiter shared by an account takes back its own memory without counting a request twice', async () => {
    const c = clock();
    const l = new RateLimiter([{ limit: 3, windowMs: MINUTE }], c.now);
    await l.take();
    await l.take(); // two requests in the same millisecond
    l.recall(l.memory()); // a channel of the account restarts while the limiter lives on
    expect(l.delay()).toBe(0);
    await l.take();
    expect(l.delay()).toBeGreaterThan(0);
  });
});

describe('AccountLimiters', () => {
  const windows = [{ limit: 100, windowMs: MINUTE }];
  it('gives every connector of one account the same limiter, per bucket', () => {
    const pool = new AccountLimiters();
    const a = pool.for('chatpion', 'http://127.0.0.1:8080/api', { apiKey: 'key-1' });
    const b = pool.for('chatpion', 'http://127.0.0.1:8080/', { apiKey: 'key-1' });
    expect(a('api', windows)).toBe(b('api', windows));
    expect(a('auth', windows)).not.toBe(a('api', windows));
    expect(pool.for('chatpion', 'http://127.0.0.1:8080', { apiKey: 'key-2' })('api', windows)).not.toBe(
      a('api', windows),
    );
    expect(pool.for('chatpion', 'http://127.0.0.1:9090', { apiKey: 'key-1' })('api', windows)).not.toBe(
      a('api', windows),
    );
    const login = (password: string) =>
      pool.for('instantchat', 'https://ic.example', { username: 'ana', password })('auth', windows);
    expect(login('old')).toBe(login('new'));
  });
});
