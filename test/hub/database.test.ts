import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_LOCK, HubDatabase } from '../../hub/db/database';
import { migrations } from '../../hub/db/migrations';
import { ensureSetupToken, setupTokenMatches } from '../../hub/db/meta';
import { freshHubDatabase } from '../helpers/hubDb';

describe('hub database', () => {
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  beforeAll(async () => {
    fresh = await freshHubDatabase();
  });
  afterAll(async () => fresh.drop());

  it('migrates once when several instances open one database together', async () => {
    const dbs = await Promise.all([1, 2, 3].map(() => HubDatabase.open(fresh.url)));
    const { rows } = await dbs[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM hub_migrations');
    expect(rows[0]!.n).toBe(migrations.length);
    await Promise.all(dbs.map((d) => d.close()));
  });

  it('gives the setup token to the first instance only, and never rotates it', async () => {
    const db = await HubDatabase.open(fresh.url);
    const tokens = await Promise.all([1, 2, 3].map(() => ensureSetupToken(db)));
    const made = tokens.filter((t): t is string => t !== null);
    expect(made).toHaveLength(1);
    expect(await ensureSetupToken(db)).toBeNull();
    expect(await setupTokenMatches(db, made[0]!)).toBe(true);
    expect(await setupTokenMatches(db, 'wrong')).toBe(false);
    await db.close();
  });

  it('numbers changes so that a reader never sees a later seq before an earlier one commits', async () => {
    const db = await HubDatabase.open(fresh.url);
    const team = '00000000-0000-4000-8000-000000000001';
    await db.query(`INSERT INTO teams (id, name) VALUES ($1, 'T')`, [team]);
    const heads: number[] = [];
    db.onFeed((_, head) => heads.push(head));
    // A writer that took its seq and has not committed yet holds the feed lock...
    const slow = await db.pool.connect();
    await slow.query('BEGIN');
    await slow.query('SELECT pg_advisory_xact_lock($1)', [FEED_LOCK]);
    await slow.query(
      `INSERT INTO changes (seq, team_id, kind, data) VALUES (nextval('changes_seq'), $1, 'agent', '{"n":"slow"}')`,
      [team],
    );
    // ...so a later writer waits for it, and a reader meanwhile sees neither.
    let fastDone = false;
    const fast = db
      .tx(async (t) => t.change({ teamId: team, kind: 'agent', data: { n: 'fast' } }))
      .then(() => (fastDone = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(fastDone).toBe(false);
    expect((await db.query('SELECT seq FROM changes WHERE team_id = $1', [team])).rowCount).toBe(0);
    await slow.query('COMMIT');
    slow.release();
    await fast;
    const { rows } = await db.query<{ seq: number; data: { n: string } }>(
      'SELECT seq, data FROM changes WHERE team_id = $1 ORDER BY seq',
      [team],
    );
    expect(rows.map((r) => r.data.n)).toEqual(['slow', 'fast']);
    expect(heads).toEqual([rows[1]!.seq]);
    await db.close();
  });
});
