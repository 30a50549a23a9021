// Sync on the hub: a customer's message reaches the team's messages and change feed; a webhook is verified and
// stored by whichever instance it reaches, once; two instances on one
// database run each channel once (one holder, provider requests as with one instance), and a stopped
// instance's channels move to the other within seconds.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSecretBox } from '../../hub/secrets';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { freshHubDatabase } from '../helpers/hubDb';
import { makeTeam, startWorkInstance, type Team, type WorkInstance } from '../helpers/hubWork';
import { waitFor } from '../helpers/api';

describe('hub sync', () => {
  let sims: Simulators;
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let a: WorkInstance;
  let aOpen = true;
  let b: WorkInstance | null = null;
  let team: Team;
  const channels: Record<string, string> = {};

  beforeAll(async () => {
    sims = await startSimulators({ seed: 19 });
    fresh = await freshHubDatabase();
    a = await startWorkInstance(fresh.url);
    team = await makeTeam(a.db);
    for (const p of sims.providers()) {
      const r = await a.req<{ id: string }>(
        'POST',
        '/hub/v1/channels',
        { provider: p.provider, name: p.provider, baseUrl: p.baseUrl, credentials: p.credentials },
        team.adminToken,
      );
      expect(r.status).toBe(201);
      channels[p.provider] = r.body.id;
    }
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    if (aOpen) await a?.close();
    await sims?.close();
    await fresh?.drop();
  });

  it('stores a customer message in messages and appends it to the feed with its conversation', async () => {
    const text = `hello hub ${Date.now()}`;
    sims.kits.chatapi.sim.inbound({ text });
    const change = await waitFor(
      'the message change',
      async () =>
        (
          await a.db.query<{
            seq: number;
            conversation_id: number;
            data: { text: string; direction: string };
          }>(
            `SELECT seq, conversation_id, data FROM changes WHERE team_id = $1 AND kind = 'message' AND data->>'text' = $2`,
            [team.teamId, text],
          )
        ).rows[0],
      30_000,
    );
    expect(change.data.direction).toBe('in');
    const { rows: stored } = await a.db.query(
      'SELECT m.id FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.text = $1 AND v.channel_id = $2',
      [text, channels.chatapi],
    );
    expect(stored).toHaveLength(1);
    const { rows: convChanges } = await a.db.query<{ data: { lastMessage: { text: string } } }>(
      `SELECT data FROM changes WHERE kind = 'conversation' AND conversation_id = $1 AND seq >= $2`,
      [change.conversation_id, change.seq],
    );
    expect(convChanges.some((c) => c.data.lastMessage?.text === text)).toBe(true);
  }, 40_000);

  it('backfills every seeded conversation once, whatever the polls bring again', async () => {
    await waitFor(
      'backfill done on every channel',
      async () =>
        (await a.db.query(`SELECT 1 FROM sync_state WHERE stream = 'backfill' AND done`)).rowCount ===
        Object.keys(channels).length,
      30_000,
    );
    const { rows } = await a.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT conversation_id, external_id FROM messages
         WHERE external_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    expect(rows[0]!.n).toBe(0);
    const { rows: counts } = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(counts[0]!.n).toBeGreaterThan(10);
  }, 40_000);

  it('runs each channel on one instance of two, with the provider traffic of one', async () => {
    const served = () => Object.values(sims.kits).reduce((n, k) => n + k.served, 0);
    const window = async () => {
      const before = served();
      await new Promise((r) => setTimeout(r, 8_000));
      return served() - before;
    };
    const alone = await window();
    b = await startWorkInstance(fresh.url);
    const both = await window();
    const ids = Object.values(channels);
    expect([...a.work.held, ...b.work.held].sort()).toEqual([...ids].sort());
    expect(b.work.held).toHaveLength(0);
    expect(both).toBeLessThanOrEqual(Math.ceil(alone * 1.3) + 5);
  }, 40_000);

  it('verifies and stores a webhook on the instance that does not run the channel, and refuses its replay', async () => {
    const id = channels['chatbots-platform']!;
    const holder = a.work.held.includes(id) ? a : b!;
    const other = holder === a ? b! : a;
    expect(other.work.held).not.toContain(id);
    const { rows } = await a.db.query<{ webhook_secret: Buffer }>(
      'SELECT webhook_secret FROM channels WHERE id = $1',
      [id],
    );
    const secret = (await hubSecretBox(a.db)).decrypt(rows[0]!.webhook_secret);
    const unsigned = {
      event: 'message.received',
      timestamp: new Date().toISOString(),
      data: {
        conversation: {
          id: 'wh-conv-1',
          status: 'active',
          contact: { id: 'wh-contact-1', name: 'Webhook Customer' },
        },
        message: {
          id: 'wh-1',
          conversationId: 'wh-conv-1',
          sender: 'user',
          text: 'by webhook',
          createdAt: new Date().toISOString(),
        },
      },
    };
    const signature = 'sha256=' + createHmac('sha256', secret).update(JSON.stringify(unsigned)).digest('hex');
    const post = async (sig: string) =>
      (
        await fetch(`${other.url}/hub/v1/webhooks/${id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature': sig },
          body: JSON.stringify({ ...unsigned, signature: sig }),
        })
      ).status;
    expect(await post('sha256=' + '0'.repeat(64))).toBe(401);
    expect(await post(signature)).toBe(200);
    expect(await post(signature)).toBe(401);
    const { rows: stored } = await a.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE external_id = 'wh-1' AND channel_id = $1`,
      [id],
    );
    expect(stored[0]!.n).toBe(1);
    const { rows: feed } = await a.db.query(
      `SELECT 1 FROM changes WHERE team_id = $1 AND kind = 'message' AND data->>'text' = 'by webhook'`,
      [team.teamId],
    );
    expect(feed).toHaveLength(1);
    expect(
      (await fetch(`${other.url}/hub/v1/webhooks/00000000-0000-4000-8000-000000000000`, { method: 'POST' }))
        .status,
    ).toBe(404);
  }, 20_000);

  it('moves the channels of an instance that stops to the other within seconds', async () => {
    const ids = Object.values(channels);
    await a.close();
    aOpen = false;
    const moved = await waitFor(
      'every channel on the other instance',
      () => b!.work.held.length === ids.length,
      10_000,
    );
    expect(moved).toBe(true);
    const text = `after the move ${Date.now()}`;
    sims.kits.chatpion.sim.inbound({ text });
    await waitFor(
      'a message synced by the other instance',
      async () => (await b!.db.query('SELECT 1 FROM messages WHERE text = $1', [text])).rowCount === 1,
      30_000,
    );
  }, 60_000);
});
