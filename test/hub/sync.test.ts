// Sync on the hub: a customer's message reaches the team's messages and change feed; two instances on one
// database run each channel once (one holder, provider requests as with one instance), and a stopped
// instance's channels move to the other within seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('runs each channel on one instance of two, with the provider traffic of one, and moves them when it stops', async () => {
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
