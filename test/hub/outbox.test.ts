// Replies on the hub: queued by agents, delivered by whichever instance runs the channel, exactly once and in
// order per conversation while the instance holding the channel is killed (SIGKILL) mid-dispatch, twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { HubDatabase } from '../../hub/db/database';
import { hubSecretBox } from '../../hub/secrets';
import { ChannelWork } from '../../hub/work/channelWork';
import { ChannelAdmin } from '../../hub/work/channelAdmin';
import { queueReply } from '../../hub/db/outbox';
import { freshHubDatabase } from '../helpers/hubDb';
import { makeTeam, type Team } from '../helpers/hubWork';
import { waitFor } from '../helpers/api';

describe('hub outbox', () => {
  let sims: Simulators;
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let db: HubDatabase;
  let team: Team;
  let channelId: string;
  const children = new Set<ChildProcess>();

  async function instance(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/hub-work-child.ts', fresh.url, '500'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.add(child);
    child.on('exit', () => children.delete(child));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`instance exited with ${code}`)));
    });
    return child;
  }

  /** The process that holds the channel's lock now, or null. */
  async function holder(): Promise<number | null> {
    const { rows } = await db.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       JOIN channels c ON l.objid = c.lock_key AND l.classid = 0 AND l.objsubid = 1
       WHERE l.locktype = 'advisory' AND l.granted AND c.id = $1
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [channelId],
    );
    const m = /agent-inbox-hub (\d+)/.exec(rows[0]?.application_name ?? '');
    return m ? Number(m[1]) : null;
  }

  beforeAll(async () => {
    sims = await startSimulators({ seed: 23 });
    fresh = await freshHubDatabase();
    db = await HubDatabase.open(fresh.url);
    team = await makeTeam(db);
    // Added as the admin's route adds it; this process runs no channel work.
    const admin = new ChannelAdmin(
      db,
      new ChannelWork({ db, secrets: await hubSecretBox(db), publicUrl: null }),
    );
    const p = sims.providers().find((x) => x.provider === 'chatapi')!;
    const made = await admin.create(
      { teamId: team.teamId, agentId: team.adminId },
      {
        provider: 'chatapi',
        name: 'ChatAPI',
        baseUrl: p.baseUrl,
        credentials: p.credentials as { apiKey: string },
      },
    );
    channelId = made.id;
  }, 30_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await db?.close();
    await sims?.close();
    await fresh?.drop();
  });

  it('delivers every reply once and in order while the instance holding the channel is killed twice', async () => {
    await instance();
    await instance();
    const hello = `outbox hello ${Date.now()}`;
    sims.kits.chatapi.sim.inbound({ text: hello });
    const conversationId = await waitFor(
      'the customer message synced',
      async () =>
        (
          await db.query<{ conversation_id: number }>(
            'SELECT conversation_id FROM messages WHERE text = $1',
            [hello],
          )
        ).rows[0]?.conversation_id,
      30_000,
    );
    sims.kits.chatapi.setFaults({ latencyMs: 150 });
    const prefix = `burst ${Date.now()}`;
    const texts = Array.from({ length: 24 }, (_, i) => `${prefix} #${i}`);
    for (const [i, text] of texts.entries()) {
      const queued = await db.tx((t) =>
        queueReply(t, {
          teamId: team.teamId,
          conversationId,
          text,
          authorId: team.adminId,
          idempotencyKey: `k${i}${prefix}`,
        }),
      );
      expect('messageId' in queued).toBe(true);
    }
    const sent = () => sims.kits.chatapi.sent.map((s) => s.text).filter((t) => t.startsWith(prefix));
    for (const reached of [5, 12]) {
      await waitFor(`${reached} replies sent`, () => sent().length >= reached, 60_000, 20);
      const pid = await holder();
      expect(pid).not.toBeNull();
      process.kill(pid!, 'SIGKILL');
      await instance();
    }
    await waitFor('every reply sent', () => texts.every((t) => sent().includes(t)), 90_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sent()).toEqual(texts);
    const { rows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM messages WHERE text LIKE $1 GROUP BY status`,
      [`${prefix}%`],
    );
    expect(rows).toEqual([{ status: 'sent', n: 24 }]);
    const { rows: outbox } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`,
    );
    expect(outbox).toEqual([{ status: 'sent', n: 24 }]);
  }, 240_000);

  it('refuses a reply to a conversation of another team', async () => {
    const other = await makeTeam(db, 'Other');
    const { rows } = await db.query<{ id: number }>('SELECT id FROM conversations LIMIT 1');
    const r = await db.tx((t) =>
      queueReply(t, {
        teamId: other.teamId,
        conversationId: rows[0]!.id,
        text: 'x',
        authorId: other.adminId,
        idempotencyKey: 'other',
      }),
    );
    expect(r).toEqual({ rejected: expect.any(String) });
  });
});
