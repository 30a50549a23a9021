// Scrolling back past the cache: backfill keeps a conversation's newest messages; older ones are asked of the
// provider when the agent pages past them, then served from the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { SimKit } from '../../main/providers/simkit';
import { simulatorFactories } from '../../main/providers/simulators';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';

const PROVIDER = 'chatbots-platform';
/** Conversations of up to 240 messages: more than its backfill keeps of each (the newest 100). */
const WORLD = { seed: 5, conversations: 6, messagesPerConversation: 240 };

let kit: SimKit;
let core: Core;
let tmp: ReturnType<typeof tempDir>;
let channelId: string;

interface Page {
  items: { id: string; text: string; createdAt: string }[];
  nextCursor: string | null;
}

/** The simulator's own count of each conversation's messages, by its id. */
function providerTotals(): Map<string, number> {
  const world = (kit.sim as unknown as { world: { conversations: Map<string, { messages: unknown[] }> } })
    .world;
  return new Map([...world.conversations].map(([id, c]) => [id, c.messages.length]));
}

/** The channel's conversations, with the provider's id of each (the API does not show it). */
async function conversations(): Promise<{ id: string; externalId: string }[]> {
  const r = await api<{ items: { id: string }[] }>(
    core,
    'GET',
    `/api/v1/conversations?channel=${channelId}&limit=200`,
  );
  return r.body.items.map((c) => ({
    id: c.id,
    externalId: core.store.conversations.ref(Number(c.id))!.externalId,
  }));
}

async function allPages(conversationId: string): Promise<Page['items']> {
  const out: Page['items'] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 30; i++) {
    const q: string = cursor ? `&before=${encodeURIComponent(cursor)}` : '';
    const r = await api<Page>(core, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=50${q}`);
    expect(r.status).toBe(200);
    out.push(...r.body.items);
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  return out;
}

const cached = (conversationId: string) =>
  core.store.messages.list(Number(conversationId), undefined, 1000).items.length;

/** Two conversations the backfill cut short (the provider has more than the cache). */
async function cutShort(): Promise<{ id: string; total: number }[]> {
  const totals = providerTotals();
  return (await conversations())
    .map((c) => ({ id: c.id, total: totals.get(c.externalId) ?? 0 }))
    .filter((c) => c.total > cached(c.id))
    .slice(0, 2);
}

let long: { id: string; total: number }[];

beforeAll(async () => {
  tmp = tempDir();
  kit = new SimKit(simulatorFactories[PROVIDER](WORLD as { seed: number }));
  await kit.listen();
  for (const line of ['Hi', 'Is anyone there?', 'Thanks!'])
    kit.sim.inbound({ contact: { name: 'Short Story' }, text: line });
  core = await createCore({ dataDir: tmp.dir, log: () => undefined });
  const p = [{ provider: PROVIDER, baseUrl: kit.baseUrl, credentials: kit.sim.credentials() }];
  channelId = (await addAllChannels(core, p))[PROVIDER];
  await waitFor('the backfill', () => core.store.syncState.get(channelId, 'backfill').done, 30_000);
  long = await cutShort();
}, 60_000);

afterAll(async () => {
  await core?.close();
  await kit?.close();
  tmp.cleanup();
});

describe('history past the cache', () => {
  it('pages back through the provider to the first message, each once, newest first', async () => {
    expect(long).toHaveLength(2);
    const [{ id, total }] = long;

    const pages = await allPages(id);
    expect(pages).toHaveLength(total);
    expect(new Set(pages.map((m) => m.id)).size).toBe(total);
    const times = pages.map((m) => m.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    // All in the cache now, and its history known to be complete: paging again asks the provider nothing.
    expect(cached(id)).toBe(total);
    const served = kit.served;
    const again = await allPages(id);
    expect(again.map((m) => m.id)).toEqual(pages.map((m) => m.id));
    // A background poll may run meanwhile (a couple of requests); paging back would take several.
    expect(kit.served - served).toBeLessThan(4);
  });

  it('does not ask the provider again for a conversation the backfill read whole', async () => {
    const short = (await conversations()).find(
      (c) => core.store.conversations.get(Number(c.id))?.contact.name === 'Short Story',
    )!;
    const first = await api<Page>(core, 'GET', `/api/v1/conversations/${short.id}/messages?limit=50`);
    expect(first.body.nextCursor).toBeNull(); // no "more at the provider" to page on to
    const served = kit.served;
    const pages = await allPages(short.id);
    expect(pages.map((m) => m.text)).toEqual(['Thanks!', 'Is anyone there?', 'Hi']);
    expect(kit.served - served).toBeLessThan(2);
  });

  it('while the provider is down, answers from the cache at once and says where the cache ends', async () => {
    const { id, total } = long[1];
    const before = cached(id);
    kit.setFaults({ down: true });
    try {
      const t0 = performance.now();
      const pages = await allPages(id);
      expect(performance.now() - t0).toBeLessThan(8_000);
      expect(pages).toHaveLength(before);
    } finally {
      kit.setFaults({ down: false });
    }
    expect(cached(id)).toBe(before);
    // Back up: the rest of the history comes through.
    expect(await allPages(id)).toHaveLength(total);
  });
});
