// Each of the five providers taken down (the simulator's `down` fault: 503 to every request, sockets dropped and
// refused) is shown offline within 10 s, whatever its realtime path: polling only (ChatPion), webhooks that
// have no link to lose (Chatbots Platform), socket.io (InstantChat), WebSockets (Assistify, ChatAPI). A reply
// queued meanwhile says at once why it waits, is not tried while the provider is down, and reaches the customer
// once when the provider is back. In both simulator modes; about 45 s per mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { type Message, PROVIDER_NAMES, type ProviderId, PROVIDERS } from '../../main/domain/entities';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, waitFor } from '../helpers/api';
import { SIM_MODES } from '../helpers/sim-modes';
import { TEST_BACKOFF_SCALE } from '../helpers/backoff';

const SHOWN_WITHIN_MS = 10_000;

describe.each(SIM_MODES)('a provider outage ($mode simulators)', ({ strict }) => {
  let sims: Simulators;
  let core: Core;
  let tmp: ReturnType<typeof tempDir>;
  let ids: Record<string, string>;
  const conversations = {} as Record<ProviderId, string>;

  beforeAll(async () => {
    tmp = tempDir();
    sims = await startSimulators({ seed: 17, strict });
    core = await createCore({ dataDir: tmp.dir, log: () => undefined, backoffScale: TEST_BACKOFF_SCALE });
    ids = await addAllChannels(core, sims.providers());
    for (const p of PROVIDERS) {
      await waitFor(`${p} backfill`, () => core.store.syncState.get(ids[p], 'backfill').done, 45_000);
      const hello = `before the outage on ${p} ${Date.now()}`;
      sims.kits[p].sim.inbound({ text: hello });
      conversations[p] = (
        await waitFor(`${p} inbound`, () => conversationWith(core, hello, ids[p]), 15_000)
      ).id;
    }
  }, 120_000);

  afterAll(async () => {
    await core?.close();
    await sims?.close();
    tmp.cleanup();
  });

  const status = (p: ProviderId) => core.store.channels.get(ids[p])?.status;
  const message = async (p: ProviderId, id: string) =>
    (
      await api<{ items: Message[] }>(
        core,
        'GET',
        `/api/v1/conversations/${conversations[p]}/messages?limit=50`,
      )
    ).body.items.find((m) => m.id === id);
  const arrivals = (p: ProviderId, text: string) => sims.kits[p].sent.filter((s) => s.text === text).length;

  it('is shown within 10 s on every provider; replies say why they wait, and go once when it is back', async () => {
    for (const p of PROVIDERS) expect(status(p), p).not.toBe('offline');
    const downAt = Date.now();
    for (const p of PROVIDERS) sims.kits[p].setFaults({ down: true });
    const shownAfter = {} as Record<ProviderId, number>;
    await Promise.all(
      PROVIDERS.map(async (p) => {
        await waitFor(`${p} shown offline`, () => status(p) === 'offline', SHOWN_WITHIN_MS + 2_000, 50);
        shownAfter[p] = Date.now() - downAt;
      }),
    );
    for (const p of PROVIDERS) expect(shownAfter[p], p).toBeLessThanOrEqual(SHOWN_WITHIN_MS);

    const replies = {} as Record<ProviderId, { id: string; text: string }>;
    for (const p of PROVIDERS) {
      const text = `an answer during the ${p} outage ${Date.now()}`;
      const r = await api<{ id: string }>(
        core,
        'POST',
        `/api/v1/conversations/${conversations[p]}/messages`,
        {
          text,
        },
      );
      expect(r.status).toBe(202);
      replies[p] = { id: r.body.id, text };
    }
    for (const p of PROVIDERS) {
      const shown = await waitFor(
        `${p} reply says why it waits`,
        async () => {
          const m = await message(p, replies[p].id);
          return m?.error ? m : null;
        },
        1_000,
        20,
      );
      expect(shown.status).toBe('queued');
      // A sentence; the 503 and the request it answered are in the log.
      expect(shown.error).toBe(`waiting: ${PROVIDER_NAMES[p]} is unavailable for now`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
    for (const p of PROVIDERS) expect(arrivals(p, replies[p].text), p).toBe(0);

    for (const p of PROVIDERS) sims.kits[p].setFaults({ down: false });
    await Promise.all(
      PROVIDERS.map((p) =>
        waitFor(`${p} reply delivered`, () => arrivals(p, replies[p].text) > 0, 30_000, 50),
      ),
    );
    for (const p of PROVIDERS) {
      await waitFor(`${p} back`, () => status(p) !== 'offline', 15_000, 50);
      await waitFor(`${p} reply shown sent`, async () =>
        ['sent', 'delivered', 'read'].includes((await message(p, replies[p].id))?.status ?? ''),
      );
    }
    await new Promise((r) => setTimeout(r, 2_000)); // time enough for a second copy, were one going out
    for (const p of PROVIDERS) expect(arrivals(p, replies[p].text), p).toBe(1);
  }, 90_000);
});
