// GET /api/v1/channels/:id/diagnostics over real HTTP, with channels on the five simulators: the shape the
// contract declares, 404 and 401, no credential in the answer, and an honest realtime path (polling for a
// provider with no push or whose webhooks cannot reach this app, the push path once it is up). Against both
// simulator modes; about 2 s each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { ChannelDiagnostics, PROVIDERS } from '../../main/domain/entities';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';

describe.each([{ strict: false }, { strict: true }])('channel diagnostics, simulators %o', ({ strict }) => {
  let sims: Simulators;
  let core: Core;
  let tmp: ReturnType<typeof tempDir>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    tmp = tempDir();
    sims = await startSimulators({ seed: 5, strict });
    core = await createCore({ dataDir: tmp.dir, log: () => undefined });
    ids = await addAllChannels(core, sims.providers());
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    await sims?.close();
    tmp.cleanup();
  });

  const diagnosticsOf = async (channelId: string) => {
    const r = await api<unknown>(core, 'GET', `/api/v1/channels/${channelId}/diagnostics`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return ChannelDiagnostics.strict().parse(r.body);
  };

  const settled = (channelId: string, status: 'live' | 'polling') =>
    waitFor(`${channelId} ${status}`, async () => {
      const d = await diagnosticsOf(channelId);
      return d.status === status && d;
    });

  it.each(PROVIDERS)('answers for %s in the declared shape, readings well formed', async (p) => {
    const d = await diagnosticsOf(ids[p]);
    expect(d).toMatchObject({ channelId: ids[p], provider: p });
    for (const item of d.items) {
      expect(item.topic.trim(), JSON.stringify(item)).not.toBe('');
      expect(item.reading.trim(), JSON.stringify(item)).not.toBe('');
      expect(Object.keys(item).sort()).toEqual(['confirmed', 'reading', 'topic']);
    }
  });

  it('answers 404 for an unknown channel and 401 without the token', async () => {
    const missing = await api<{ error: { code: string } }>(core, 'GET', '/api/v1/channels/nope/diagnostics');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const anonymous = await fetch(`${core.url}/api/v1/channels/${ids.chatpion}/diagnostics`);
    expect(anonymous.status).toBe(401);
    const wrong = await api(
      { url: core.url, token: 'wrong' },
      'GET',
      `/api/v1/channels/${ids.chatpion}/diagnostics`,
    );
    expect(wrong.status).toBe(401);
  });

  it('never carries a credential', async () => {
    const secrets = sims
      .providers()
      .flatMap((p) => Object.values(p.credentials as Record<string, string>))
      .filter((v) => v.length >= 4);
    expect(secrets.length).toBeGreaterThanOrEqual(PROVIDERS.length);
    for (const p of PROVIDERS) {
      const text = JSON.stringify(await diagnosticsOf(ids[p]));
      for (const secret of secrets) expect(text, p).not.toContain(secret);
    }
  });

  it('says a provider with no push is polled, and how often', async () => {
    const d = await settled(ids.chatpion, 'polling');
    expect(d.realtime.path).toBe('polling');
    expect(d.realtime.live).toBe(false);
    expect(d.realtime.pollIntervalMs).toBeGreaterThan(0);
    expect(d.realtime.detail).toContain(`Polling every ${d.realtime.pollIntervalMs! / 1000} s`);
  });

  it.each([
    ['instantchat', 'socket.io'],
    ['chatapi', 'websocket'],
    ['chatbots-platform', 'webhook'],
  ] as const)('names %s’s push path (%s) once it is up', async (p, path) => {
    const d = await settled(ids[p], 'live');
    expect(d.realtime).toMatchObject({ path, live: true });
    expect(d.realtime.detail).toMatch(/^Live: news arrives over /);
    expect(d.realtime.pollIntervalMs).toBeGreaterThan(0);
    expect(d.realtime.detail).toContain(`every ${d.realtime.pollIntervalMs! / 1000} s`);
  });

  it('reads as polling with the reason when a provider’s webhooks cannot reach this app', async () => {
    const sim = sims.providers().find((p) => p.provider === 'chatbots-platform')!;
    const hosted = await api<{ id: string }>(core, 'POST', '/api/v1/channels', {
      provider: 'chatbots-platform',
      name: 'hosted chatbots',
      baseUrl: 'https://chatbots-platform.invalid/api',
      credentials: sim.credentials,
    });
    expect(hosted.status).toBe(201);
    const d = await diagnosticsOf(hosted.body.id);
    expect(d.realtime.path).toBe('polling');
    expect(d.realtime.live).toBe(false);
    expect(d.realtime.detail).toContain('webhooks cannot reach this app');
    expect(d.realtime.detail).toContain('chatbots-platform.invalid');
  });

  it('says a paused channel syncs nothing, and keeps its path', async () => {
    const paused = await api(core, 'PATCH', `/api/v1/channels/${ids.instantchat}`, { paused: true });
    expect(paused.status).toBe(200);
    const d = await diagnosticsOf(ids.instantchat);
    expect(d).toMatchObject({ status: 'paused', items: [] });
    expect(d.realtime).toMatchObject({ path: 'socket.io', live: false, pollIntervalMs: null });
    expect(d.realtime.detail).toMatch(/^Paused/);
  });
});
