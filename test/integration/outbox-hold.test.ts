// After a reply fails for good, the replies written after it in the same conversation wait: the customer must
// not read #3 without #2. The outbox API says which failed reply holds them; retrying (after an edit) or
// discarding the failed reply lets them go, in order. Against the ChatPion simulator, which refuses a message
// over 2,000 characters with a 400 (to customers whose platform takes more, so the local API lets it through).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import type { Conversation, OutboxItem } from '../../main/domain/entities';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/chatpion/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor } from '../helpers/api';

let tmp: ReturnType<typeof tempDir>;
let kit: SimKit;
let core: Core;
let channelId: string;
const pushed: OutboxItem[] = [];

beforeAll(async () => {
  tmp = tempDir();
  kit = new SimKit(createSimulator({ seed: 41 }));
  await kit.listen();
  core = await createCore({ dataDir: path.join(tmp.dir, 'core'), log: () => undefined });
  core.events.on('outbox.updated', (o) => pushed.push(o));
  channelId = (
    await addAllChannels(core, [
      { provider: 'chatpion', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
    ])
  ).chatpion;
}, 30_000);
afterAll(async () => {
  await core?.close();
  await kit?.close();
  tmp.cleanup();
});

const TOO_LONG = 'x'.repeat(2001);
const arrived = (prefix: string) =>
  kit.sent.filter((s) => s.text.startsWith(prefix) || s.text === TOO_LONG).map((s) => s.text);
const outbox = async (query = '') =>
  (await api<{ items: OutboxItem[] }>(core, 'GET', `/api/v1/outbox${query}`)).body.items;

const used = new Set<string>();
/**
 * A conversation of its own per test, with a customer whose platform takes more than 2,000 characters (WhatsApp,
 * Telegram), so the API lets TOO_LONG through and only ChatPion's answer refuses it.
 */
async function conversation(): Promise<string> {
  const c = await waitFor(
    'a ChatPion conversation on WhatsApp or Telegram',
    async () =>
      (
        await api<{ items: Conversation[] }>(
          core,
          'GET',
          `/api/v1/conversations?channel=${channelId}&limit=200`,
        )
      ).body.items.find((x) => !used.has(x.id) && (x.maxTextLength ?? Infinity) > TOO_LONG.length),
    20_000,
  );
  used.add(c.id);
  return c.id;
}

/** Replies as the agent writes them; answers their outbox ids. */
async function write(conversationId: string, texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    const r = await api<{ meta: { outboxId: string } }>(
      core,
      'POST',
      `/api/v1/conversations/${conversationId}/messages`,
      { text },
    );
    expect(r.status).toBe(202);
    ids.push(r.body.meta.outboxId);
  }
  return ids;
}

async function failedFor(id: string): Promise<void> {
  await waitFor('the long reply failed', async () =>
    (await outbox()).some((i) => i.id === id && i.status === 'failed'),
  );
  await new Promise((r) => setTimeout(r, 1000)); // the dispatcher had every chance to send what comes after
}

describe('a reply that failed for good', () => {
  it('holds the later replies, says so, and lets them go in order once it is edited and retried', async () => {
    const conversationId = await conversation();
    const p = `hold-${Date.now()}`;
    const [, second, third, fourth] = await write(conversationId, [
      `${p} #1`,
      TOO_LONG,
      `${p} #3`,
      `${p} #4`,
    ]);
    await failedFor(second);
    expect(arrived(p)).toEqual([`${p} #1`]);
    const items = (await outbox()).filter((i) => i.conversationId === conversationId);
    expect(items.map((i) => [i.id, i.status, i.heldBy])).toEqual([
      [second, 'failed', undefined],
      [third, 'queued', second],
      [fourth, 'queued', second],
    ]);
    // Open windows heard it too: the held items were pushed again, naming the failed reply.
    expect(pushed.filter((o) => o.heldBy === second).map((o) => o.id)).toEqual(
      expect.arrayContaining([third, fourth]),
    );

    const edited = await api<OutboxItem>(core, 'PATCH', `/api/v1/outbox/${second}`, { text: `${p} #2` });
    expect(edited.body).toMatchObject({ status: 'failed', text: `${p} #2` });
    const retried = await api<OutboxItem>(core, 'POST', `/api/v1/outbox/${second}/retry`);
    expect(retried.status).toBe(200);
    await waitFor('all delivered', () => arrived(p).length === 4, 20_000);
    expect(arrived(p)).toEqual([`${p} #1`, `${p} #2`, `${p} #3`, `${p} #4`]);
    expect(pushed.filter((o) => o.id === third).at(-1)).toMatchObject({ status: 'sent' });
  }, 60_000);

  it('lets the later replies go once it is discarded', async () => {
    kit.sent = [];
    const conversationId = await conversation();
    const p = `discard-${Date.now()}`;
    const [failed, held] = await write(conversationId, [TOO_LONG, `${p} after`]);
    await failedFor(failed);
    expect((await outbox()).find((i) => i.id === held)).toMatchObject({ status: 'queued', heldBy: failed });
    expect(arrived(p)).toEqual([]);
    expect((await api(core, 'DELETE', `/api/v1/outbox/${failed}`)).status).toBe(204);
    await waitFor('the held reply delivered', () => arrived(p).length === 1, 20_000);
    expect(arrived(p)).toEqual([`${p} after`]);
    expect((await outbox('?status=cancelled')).map((i) => i.id)).toContain(failed);
    expect(pushed.filter((o) => o.id === failed).at(-1)).toMatchObject({ status: 'cancelled' });
  }, 60_000);
});
