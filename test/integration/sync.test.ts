// Sync against the five simulators over real HTTP, sockets and webhooks on loopback, in both simulator modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { PROVIDERS } from '../../main/domain/entities';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, messagesOf, waitFor } from '../helpers/api';
import { SIM_MODES } from '../helpers/sim-modes';
import { TEST_BACKOFF_SCALE } from '../helpers/backoff';

describe.each(SIM_MODES)('sync with all five providers ($mode simulators)', ({ strict }) => {
  let sims: Simulators;
  let core: Core;
  let tmp: ReturnType<typeof tempDir>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    tmp = tempDir();
    sims = await startSimulators({ seed: 3, strict });
    core = await createCore({ dataDir: tmp.dir, log: () => undefined, backoffScale: TEST_BACKOFF_SCALE });
    ids = await addAllChannels(core, sims.providers());
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    await sims?.close();
    tmp.cleanup();
  });

  /**
   * Returns once two poll rounds of the channel have finished after the call, so a second copy of a message
   * (realtime and poll both reporting it) would be stored by then. Each round is asked for now, as when the
   * network comes back: realtime providers reconcile only every 30 to 60 s on their own.
   */
  async function twoPollRounds(channelId: string): Promise<void> {
    const lastSync = () => core.store.channels.get(channelId)?.last_sync_at ?? null;
    for (let round = 1; round <= 2; round++) {
      const before = lastSync();
      core.setNetworkOnline(true);
      await waitFor(`poll round ${round}`, () => lastSync() !== before, 15_000, 20);
    }
  }

  it('backfills every provider', async () => {
    for (const p of PROVIDERS) {
      await waitFor(`${p} backfill`, () => core.store.syncState.get(ids[p], 'backfill').done, 45_000);
      const page = await api<{ items: unknown[] }>(
        core,
        'GET',
        `/api/v1/conversations?channel=${ids[p]}&limit=500`,
      );
      expect(page.body.items.length, p).toBeGreaterThan(0);
    }
  }, 60_000);

  it.each(PROVIDERS)('a new customer message on %s reaches the inbox once', async (p) => {
    const text = `hello from a customer on ${p} ${Date.now()}`;
    sims.kits[p].sim.inbound({ text });
    const conv = await waitFor(`${p} inbound`, () => conversationWith(core, text, ids[p]), 10_000, 50);
    await twoPollRounds(ids[p]);
    const copies = (await messagesOf(core, conv.id)).filter((m) => m.text === text);
    expect(copies).toHaveLength(1);
    expect(copies[0].direction).toBe('in');
    const listed = await api<{ items: { id: string; unreadCount: number }[] }>(
      core,
      'GET',
      `/api/v1/conversations?channel=${ids[p]}&limit=500`,
    );
    expect(listed.body.items.find((c) => c.id === conv.id)?.unreadCount).toBeGreaterThan(0);
  });

  it.each(PROVIDERS)(
    'a reply on %s reaches the provider once and shows once, outbound',
    async (p) => {
      const hello = `a question on ${p} ${Date.now()}`;
      sims.kits[p].sim.inbound({ text: hello });
      const conv = await waitFor(`${p} inbound`, () => conversationWith(core, hello, ids[p]), 10_000, 50);
      const reply = `an answer on ${p} ${Date.now()}`;
      const r = await api(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text: reply });
      expect(r.status).toBe(202);
      await waitFor(`${p} reply sent`, () => sims.kits[p].sent.some((x) => x.text === reply), 20_000, 50);
      await twoPollRounds(ids[p]);
      expect(sims.kits[p].sent.filter((x) => x.text === reply)).toHaveLength(1);
      const shown = (await messagesOf(core, conv.id)).filter((m) => m.text === reply);
      expect(shown.map((m) => m.direction)).toEqual(['out']);
    },
    40_000,
  );

  it('offers a Chatbots Platform bot to switch on, and says why a deployed one cannot be switched off', async () => {
    type Flows = { items: { active: boolean; toggleable: boolean; reason?: string }[] };
    const flows = await waitFor('chatbots flows', async () => {
      const r = await api<Flows>(core, 'GET', `/api/v1/flows?channel=${ids['chatbots-platform']}`);
      return r.body.items.length ? r.body.items : null;
    });
    for (const f of flows) {
      expect(f.toggleable).toBe(!f.active);
      if (f.active) expect(f.reason).toMatch(/no way to switch one off/);
    }
  });

  it('keeps the others syncing while one provider is down, and reports it offline', async () => {
    sims.kits.chatapi.setFaults({ down: true });
    try {
      await waitFor(
        'chatapi offline',
        async () => {
          const chs = await api<{ items: { id: string; status: string }[] }>(core, 'GET', '/api/v1/channels');
          return chs.body.items.find((c) => c.id === ids.chatapi)?.status === 'offline';
        },
        30_000,
      );
      const text = `still here ${Date.now()}`;
      sims.kits.instantchat.sim.inbound({ text });
      await waitFor(
        'instantchat inbound while chatapi down',
        () => conversationWith(core, text, ids.instantchat),
        10_000,
      );
    } finally {
      sims.kits.chatapi.setFaults({ down: false });
    }
    const text = `back again ${Date.now()}`;
    sims.kits.chatapi.sim.inbound({ text });
    await waitFor(
      'chatapi catches up after coming back',
      () => conversationWith(core, text, ids.chatapi),
      40_000,
    );
  }, 90_000);

  it('puts a channel whose provider sends malformed JSON in error, with words, and stores nothing broken', async () => {
    const before = core.store.integrityCheck();
    sims.kits.chatpion.setFaults({ malformed: 1 });
    try {
      const ch = await waitFor(
        'chatpion error',
        async () => {
          const chs = await api<{ items: { id: string; status: string; error?: string }[] }>(
            core,
            'GET',
            '/api/v1/channels',
          );
          const c = chs.body.items.find((x) => x.id === ids.chatpion);
          return c?.error ? c : null;
        },
        20_000,
      );
      expect(ch.error).toBe('ChatPion sent an answer the app could not read');
    } finally {
      sims.kits.chatpion.setFaults({ malformed: 0 });
    }
    expect(before).toBe('ok');
    expect(core.store.integrityCheck()).toBe('ok');
  }, 30_000);
});
