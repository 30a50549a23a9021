// Times the API is told are strict ISO 8601 date-times, times of day are HH:MM, and the muted channels
// are bounded: anything else gets a 400 naming the field, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { tempDir } from '../helpers/tmp';
import { conv, msg, seedChannel } from '../helpers/seed';

let core: Core;
let tmp: ReturnType<typeof tempDir>;
let conversationId: string;

async function patch(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${core.url}${path}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${core.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const message = (r: { json: unknown }) => (r.json as { error?: { message?: string } }).error?.message ?? '';

beforeAll(async () => {
  tmp = tempDir();
  core = await createCore({ dataDir: tmp.dir, port: 0, log: () => undefined });
  const ch = seedChannel(core.store);
  core.store.ingest.applyBatch(
    ch,
    [conv('x1', 'Ana García', '2026-01-01T10:00:00.000Z')],
    [msg('m1', 'x1', 'Hello', '2026-01-01T10:00:00.000Z')],
    { live: true },
  );
  conversationId = core.store.conversations.list({ sort: 'latest', limit: 1 }).items[0].id;
});
afterAll(async () => {
  await core.close();
  tmp.cleanup();
});

const BAD_TIMES = [
  'tomorrow',
  '',
  '2026-01-31',
  '2026-01-31T17:00:00',
  '2026-13-01T00:00:00Z',
  '2026-01-31 17:00:00Z',
  '1738342800000',
  `2026-01-31T17:00:00Z${' '.repeat(10)}`,
];

describe('settings', () => {
  it('takes do-not-disturb times as the renderer and the tray send them, or null', async () => {
    for (const dndUntil of [new Date().toISOString(), '2026-01-31T17:00:00+02:00', null]) {
      const r = await patch('/api/v1/settings', { dndUntil });
      expect(r.status, String(dndUntil)).toBe(200);
      expect((r.json as { dndUntil: unknown }).dndUntil).toBe(dndUntil);
    }
  });

  it('refuses a do-not-disturb time that is not an ISO 8601 date-time with Z or an offset', async () => {
    for (const dndUntil of [...BAD_TIMES, 1738342800000]) {
      const r = await patch('/api/v1/settings', { dndUntil });
      expect(r.status, JSON.stringify(dndUntil)).toBe(400);
      expect(message(r)).toMatch(/dndUntil .*ISO 8601/);
    }
    expect(core.store.settings.get().dndUntil).toBeNull();
  });

  it('takes quiet hours as HH:MM from 00:00 to 23:59, nothing else', async () => {
    expect((await patch('/api/v1/settings', { quietHours: { from: '22:00', to: '07:30' } })).status).toBe(
      200,
    );
    for (const quietHours of [
      { from: '24:00', to: '07:00' },
      { from: '22:00', to: '7:00' },
      { from: '22:60', to: '07:00' },
      { from: '22:00:00', to: '07:00' },
      { from: '22:00', to: '07:00', extra: true },
      { from: '22:00' },
    ]) {
      const r = await patch('/api/v1/settings', { quietHours });
      expect(r.status, JSON.stringify(quietHours)).toBe(400);
      expect(message(r)).toContain('quietHours');
    }
    expect(core.store.settings.get().quietHours).toEqual({ from: '22:00', to: '07:30' });
  });

  it('bounds the muted channels: at most 500 ids of at most 200 characters', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `ch-${i}`);
    expect((await patch('/api/v1/settings', { mutedChannels: ids(500) })).status).toBe(200);
    for (const mutedChannels of [ids(501), ['x'.repeat(201)], [''], [42]]) {
      const r = await patch('/api/v1/settings', { mutedChannels });
      expect(r.status).toBe(400);
      expect(message(r)).toContain('mutedChannels');
    }
    expect(core.store.settings.get().mutedChannels).toHaveLength(500);
  });

  it('keeps the other settings when one stored value is no longer valid', () => {
    core.store.settings.patch({ dndUntil: 'not a time', snippets: [{ name: 'hi', text: 'Hello!' }] });
    const settings = core.store.settings.get();
    expect(settings.dndUntil).toBeNull();
    expect(settings.snippets).toEqual([{ name: 'hi', text: 'Hello!' }]);
  });
});

describe('snoozing a conversation', () => {
  it('takes an ISO 8601 date-time or null, and refuses anything else', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const ok = await patch(`/api/v1/conversations/${conversationId}`, {
      status: 'snoozed',
      snoozedUntil: until,
    });
    expect(ok.status).toBe(200);
    expect((ok.json as { snoozedUntil: unknown }).snoozedUntil).toBe(until);
    for (const snoozedUntil of BAD_TIMES) {
      const r = await patch(`/api/v1/conversations/${conversationId}`, { snoozedUntil });
      expect(r.status, snoozedUntil).toBe(400);
      expect(message(r)).toMatch(/snoozedUntil .*ISO 8601/);
    }
    const cleared = await patch(`/api/v1/conversations/${conversationId}`, {
      status: 'open',
      snoozedUntil: null,
    });
    expect((cleared.json as { snoozedUntil: unknown }).snoozedUntil).toBeNull();
  });
});
