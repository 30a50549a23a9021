// One rate limiter per provider account, shared by everything that calls it. Right after a channel was added,
// ChatPion got 101 requests in a minute (one 429): the credential test had a limiter of its own. Here the
// credential test, the sync, a burst of replies, a broadcast and the outbox's reconciliation (findSent after
// answers that arrived garbled) all call one ChatPion account at once, well past its documented 100 requests a
// minute, which the simulator enforces: it must never have to answer 429.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/chatpion/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';

const PER_MINUTE = 100; // ChatPion's documented limit, per API key

let tmp: ReturnType<typeof tempDir>;
let kit: SimKit;
let core: Core;

beforeAll(async () => {
  tmp = tempDir();
  kit = new SimKit(createSimulator({ seed: 51 }));
  await kit.listen();
  core = await createCore({
    dataDir: path.join(tmp.dir, 'core'),
    log: () => undefined,
    outboxInFlightGraceMs: 500,
  });
});
afterAll(async () => {
  await core?.close();
  await kit?.close();
  tmp.cleanup();
});

const arrivals = (text: string) => kit.sent.filter((s) => s.text === text).length;

async function reply(conversationId: string, text: string): Promise<void> {
  const r = await api(core, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text });
  expect(r.status).toBe(202);
}

describe('one ChatPion account', () => {
  it('credential test, sync, sends, a broadcast and reconciliation together stay under 100 requests a minute', async () => {
    const channelId = (
      await addAllChannels(core, [
        { provider: 'chatpion', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).chatpion;
    const conversations = await waitFor(
      'the backfill’s conversations',
      async () => {
        const r = await api<{ items: { id: string }[] }>(
          core,
          'GET',
          `/api/v1/conversations?channel=${channelId}`,
        );
        return r.body.items.length >= 5 && r.body.items.map((c) => c.id);
      },
      20_000,
    );

    // The answers to the first replies arrive garbled: the outbox cannot tell whether they went out, and once the
    // provider answers properly again it asks (findSent) before sending any again.
    kit.setFaults({ malformed: 1 });
    const p = `rl-${Date.now()}`;
    const first = conversations.slice(0, 5).map((id, i) => `${p} first ${i}`);
    for (const [i, text] of first.entries()) await reply(conversations[i], text);
    await waitFor('the first replies at the provider', () => first.every((t) => arrivals(t) > 0), 20_000);
    kit.setFaults({ malformed: 0 });
    const outbox = async () =>
      (await api<{ items: { text: string }[] }>(core, 'GET', '/api/v1/outbox')).body.items;
    await waitFor('reconciled', async () => (await outbox()).every((i) => !first.includes(i.text)), 20_000);

    // Then more than the minute allows: a broadcast and a burst of replies, while the sync keeps polling.
    const b = await api(core, 'POST', '/api/v1/broadcasts', {
      name: 'rate',
      text: `${p} broadcast`,
      audience: { channelIds: [channelId] },
    });
    expect(b.status).toBe(201);
    for (let i = 0; i < PER_MINUTE; i++)
      await reply(conversations[i % conversations.length], `${p} burst ${i}`);
    await waitFor('the minute’s budget spent', () => (kit.acceptedPerRule[0] ?? 0) >= PER_MINUTE, 30_000);
    await new Promise((r) => setTimeout(r, 3000)); // what is left knocks for a while

    expect(kit.refused429).toBe(0);
    // Demand was past the limit (replies still wait), and reconciliation sent nothing twice.
    expect((await outbox()).filter((i) => i.text.startsWith(`${p} burst`)).length).toBeGreaterThan(0);
    expect(first.map(arrivals)).toEqual(first.map(() => 1));
  }, 60_000);
});
