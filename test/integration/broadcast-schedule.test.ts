// A scheduled broadcast on a provider that sends broadcasts itself (ChatPion) goes to the provider at once with its
// schedule and time zone, and the provider sends it at that time, whether the app still runs or not. Before, the
// schedule was dropped on the way and the app held the broadcast back until the time came, so it went out only if
// the app was running then. Against the ChatPion simulator in both modes; about 15 s.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { Broadcast, OutboxItem } from '../../main/domain/entities';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/chatpion/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';
import { SIM_MODES } from '../helpers/sim-modes';

/** What the simulator keeps of each broadcast it was given (its own state, read for this test). */
type SimBroadcasts = {
  w: { broadcasts: { name: string; schedule: { time: string; timezone: string } | null }[] };
};

describe.each(SIM_MODES)('a scheduled ChatPion broadcast ($mode simulator)', ({ strict }) => {
  let tmp: ReturnType<typeof tempDir>;
  let kit: SimKit;
  let core: Core | null = null;

  beforeAll(async () => {
    tmp = tempDir();
    kit = new SimKit(createSimulator({ seed: 71, strict }));
    await kit.listen();
  });
  afterAll(async () => {
    await core?.close();
    await kit?.close();
    tmp.cleanup();
  });

  it('is handed to ChatPion at once with its schedule, and goes out then with the app closed', async () => {
    core = await createCore({ dataDir: path.join(tmp.dir, 'core'), log: () => undefined });
    const channelId = (
      await addAllChannels(core, [
        { provider: 'chatpion', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).chatpion;
    await waitFor('backfill', () => core!.store.syncState.get(channelId, 'backfill').done, 20_000);

    const name = `later ${Date.now()}`;
    const text = `Our shop opens in a moment ${Date.now()}`;
    const scheduleAt = new Date(Date.now() + 5_000).toISOString();
    const created = await api<Broadcast>(core, 'POST', '/api/v1/broadcasts', {
      name,
      text,
      audience: { channelIds: [channelId] },
      scheduleAt,
      timezone: 'Europe/Lisbon',
    });
    expect(created.status).toBe(201);
    await waitFor('handed to ChatPion', async () =>
      (await api<{ items: OutboxItem[] }>(core!, 'GET', '/api/v1/outbox?status=sent')).body.items.some(
        (i) => i.kind === 'broadcast' && i.text === text,
      ),
    );
    const atProvider = (kit.sim as unknown as SimBroadcasts).w.broadcasts.find((b) => b.name === name);
    expect(atProvider?.schedule).toEqual({ time: scheduleAt, timezone: 'Europe/Lisbon' });
    const b = await api<Broadcast>(core, 'GET', `/api/v1/broadcasts/${created.body.id}`);
    expect(b.body.status).toBe('scheduled');
    expect(kit.sent.filter((s) => s.text === text)).toEqual([]);

    await core.close();
    core = null;
    await waitFor('sent by ChatPion at its time', () => kit.sent.some((s) => s.text === text), 10_000);
    expect(Date.parse(kit.sent.find((s) => s.text === text)!.at)).toBeGreaterThanOrEqual(
      Date.parse(scheduleAt),
    );
  }, 45_000);
});
