// Crash safety. The core runs in a child process and is SIGKILLed at random moments while it backfills a
// large simulated ChatAPI world, dispatches replies and fans out broadcasts, many times over. After every kill
// the database passes integrity_check; once it runs undisturbed the work finishes by itself, and the cache
// and the provider agree: no message lost, none stored or sent twice.
// A damaged or foreign database file is kept aside (renamed, never deleted) and the app starts fresh with a
// notice; a database from a newer version is refused and left exactly as it was.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../main/core';
import { DatabaseOpenError, SCHEMA_VERSION } from '../../main/db';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator, type ChatApiSim } from '../../main/providers/chatapi/simulator';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, waitFor, type ApiClient } from '../helpers/api';
import { crashSchedule } from '../helpers/crash-seed';
import { spawnCore } from '../helpers/spawn-core';

const CRASHES = Number(process.env.CRASHES ?? 20);

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('SIGKILL during backfill, dispatch and broadcasts', () => {
  const dataDir = () => path.join(tmp.dir, 'crash');
  const dbFile = () => path.join(dataDir(), 'inbox.db');
  let kit: SimKit;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    // Unlimited: the documented 1000 requests/hour would stall a world this size long before the test ends.
    kit = new SimKit(
      createSimulator({ seed: 23, conversations: 300, messagesPerConversation: 15, unlimited: true }),
    );
    await kit.listen();
    // Slow enough that backfill spans several kills, as it would against a real provider.
    kit.setFaults({ latencyMs: 20 });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await kit?.close();
  });

  async function startChild(): Promise<ApiClient> {
    const started = await spawnCore({
      dataDir: dataDir(),
      outboxInFlightGraceMs: 800,
      unlimitedProviders: true,
    });
    child = started.child;
    return started.client;
  }

  async function kill(): Promise<void> {
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;
  }

  /** Reads the database the way the next start will find it, without checkpointing it. */
  function inspect<T>(read: (db: Database.Database) => T): T {
    const db = new Database(dbFile(), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  const sim = () => kit.sim as ChatApiSim;
  const agentRooms = () =>
    [...sim().world.rooms.values()].filter((r) => r.participants.includes(sim().world.agent.id));
  const providerMessageIds = () => {
    const rooms = new Set(agentRooms().map((r) => r.id));
    return [...sim().world.messages.values()]
      .filter((m) => !m.deleted && rooms.has(m.roomId))
      .map((m) => m.id);
  };
  const backfillState = () =>
    inspect((db) => db.prepare("SELECT done FROM sync_state WHERE stream = 'backfill'").pluck().get());
  const backfillDone = () => backfillState() === 1;
  const sentTexts = (prefix: string) => kit.sent.filter((s) => s.text.startsWith(prefix)).map((s) => s.text);

  it(`keeps every message exactly once across ${CRASHES} kills, and resumes by itself`, async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    let c = await startChild();
    const channelId = (
      await addAllChannels(c, [
        { provider: 'chatapi', baseUrl: kit.baseUrl, credentials: sim().credentials() },
      ])
    ).chatapi;
    const prefix = `crash-${Date.now()}`;
    const replies: Record<string, string[]> = {};
    const broadcasts: { id: string; text: string }[] = [];
    const integrity: string[] = [];
    let killedDuringBackfill = 0;
    const random = crashSchedule('SIGKILL during backfill, dispatch and broadcasts');

    for (let round = 0; round < CRASHES; round++) {
      // Customers keep writing; the agent replies to whatever is already in the cache; now and then a broadcast.
      for (let i = 0; i < 3; i++) kit.sim.inbound({ text: `${prefix} customer r${round} #${i}` });
      const convs = (await api<{ items: { id: string }[] }>(c, 'GET', '/api/v1/conversations?limit=5')).body
        .items;
      for (const conv of convs.slice(0, 3)) {
        const text = `${prefix} reply to ${conv.id} r${round}`;
        expect((await api(c, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text })).status).toBe(
          202,
        );
        (replies[conv.id] ??= []).push(text);
      }
      if (round % 4 === 1) {
        const text = `${prefix} broadcast r${round}`;
        const r = await api<{ id: string }>(c, 'POST', '/api/v1/broadcasts', {
          name: `b${round}`,
          text,
          audience: { channelIds: [channelId] },
        });
        expect(r.status).toBe(201);
        broadcasts.push({ id: r.body.id, text });
      }
      // The first kill lands in the middle of the backfill (some batches committed, not all), however fast
      // the sync is; the others at random moments.
      if (round === 0) await waitFor('backfill under way', () => backfillState() === 0, 30_000, 2);
      else await new Promise((r) => setTimeout(r, 100 + random() * 1400));
      await kill();
      integrity.push(inspect((db) => String(db.pragma('integrity_check', { simple: true }))));
      if (!backfillDone()) killedDuringBackfill++;
      c = await startChild();
    }

    await waitFor('backfill done', backfillDone, 60_000, 250);
    const pending = async () =>
      (await api<{ items: { status: string }[] }>(c, 'GET', '/api/v1/outbox')).body.items.filter(
        (i) => i.status !== 'sent',
      );
    await waitFor('outbox drained', async () => (await pending()).length === 0, 60_000, 250);
    const expected = providerMessageIds();
    const stored = () =>
      inspect(
        (db) =>
          db
            .prepare('SELECT external_id FROM messages WHERE channel_id = ? AND external_id IS NOT NULL')
            .pluck()
            .all(channelId) as string[],
      );
    // On a timeout the assertions below name what is missing.
    await waitFor(
      'every provider message cached',
      () => new Set(stored()).size >= new Set(expected).size,
      60_000,
      500,
    ).catch(() => undefined);

    const cached = stored();
    const cachedIds = new Set(cached);
    const lost = expected.filter((id) => !cachedIds.has(id));
    const duplicated = cached.length - cachedIds.size;
    const allReplies = Object.values(replies).flat();
    const replyRows = inspect(
      (db) =>
        db
          .prepare(`SELECT text FROM messages WHERE text LIKE ? || ' reply to %'`)
          .pluck()
          .all(prefix) as string[],
    );
    console.log(
      `crash: ${CRASHES} SIGKILLs (${killedDuringBackfill} during backfill), ${expected.length} provider messages, ` +
        `${lost.length} lost, ${duplicated} duplicated, ${allReplies.length} replies and ${broadcasts.length} broadcasts, ` +
        `integrity ${[...new Set(integrity)].join(',')}`,
    );

    expect(killedDuringBackfill).toBeGreaterThan(0);
    expect(integrity.filter((r) => r !== 'ok')).toEqual([]);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(cachedIds).toEqual(new Set(expected));
    // Each reply reached the provider once, in order per conversation, and is shown once.
    const sent = sentTexts(`${prefix} reply`);
    expect(sent.length).toBe(allReplies.length);
    for (const [id, texts] of Object.entries(replies))
      expect(sent.filter((t) => t.includes(` to ${id} `))).toEqual(texts);
    expect(replyRows.sort()).toEqual([...allReplies].sort());
    // Each broadcast reached each of its recipients once.
    for (const b of broadcasts) {
      const row = (
        await api<{ status: string; total: number; sent: number }>(c, 'GET', `/api/v1/broadcasts/${b.id}`)
      ).body;
      const to = kit.sent.filter((s) => s.text === b.text).map((s) => s.to);
      expect(row).toMatchObject({ status: 'completed', sent: row.total });
      expect(to.length).toBe(row.total);
      expect(new Set(to).size).toBe(row.total);
    }
    await kill();
    expect(inspect((db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  }, 240_000);
});

describe('a database the app cannot use at start', () => {
  /** A data directory holding `inbox.db` as `write` leaves it; answers its listing before any start. */
  function dataDirWith(name: string, write: (file: string) => void): { dir: string; file: string } {
    const dir = path.join(tmp.dir, name);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'inbox.db');
    write(file);
    return { dir, file };
  }

  /** A real database of this version, written by a core and closed. */
  async function genuineDatabase(file: string): Promise<void> {
    const dir = path.dirname(file);
    const core = await createCore({ dataDir: dir, log: () => undefined });
    await core.close();
    fs.rmSync(path.join(dir, 'secret.key'));
  }

  async function expectKeptAside(dir: string, file: string, reason: RegExp): Promise<void> {
    const original = fs.readFileSync(file);
    const wal = fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : null;
    const logLines: string[] = [];
    const core = await createCore({ dataDir: dir, log: (l) => logLines.push(l) });
    try {
      const kept = fs.readdirSync(dir).filter((f) => /^inbox\.db\.corrupt-[\dT-]+Z$/.test(f));
      expect(kept).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, kept[0])).equals(original)).toBe(true);
      if (wal) expect(fs.readFileSync(path.join(dir, `${kept[0]}-wal`)).equals(wal)).toBe(true);
      const health = await api<{ status: string; notices: string[]; channels: unknown[] }>(
        core,
        'GET',
        '/api/v1/health',
      );
      expect(health.body).toMatchObject({ status: 'ok', channels: [] });
      expect(health.body.notices).toEqual([expect.stringMatching(reason)]);
      expect(health.body.notices[0]).toContain(kept[0]);
      expect(logLines.filter((l) => l.startsWith('[database]') && l.includes(kept[0]))).toHaveLength(1);
      expect(core.store.integrityCheck()).toBe('ok');
    } finally {
      await core.close();
    }
    // The next start finds the fresh database: no new notice, nothing else kept aside.
    const again = await createCore({ dataDir: dir, log: () => undefined });
    expect((await api<{ notices: string[] }>(again, 'GET', '/api/v1/health')).body.notices).toEqual([]);
    await again.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-') && !/-(wal|shm)$/.test(f))).toHaveLength(
      1,
    );
  }

  it('keeps a file that is not a database aside, with its WAL, and starts fresh with a notice', async () => {
    const { dir, file } = dataDirWith('garbage', (f) => {
      fs.writeFileSync(f, Buffer.alloc(64 * 1024, 0x5a));
      fs.writeFileSync(`${f}-wal`, Buffer.alloc(4096, 0xa5));
    });
    await expectKeptAside(dir, file, /was damaged/);
  });

  it('keeps a database whose schema page is damaged aside', async () => {
    const { dir, file } = dataDirWith('damaged', () => undefined);
    await genuineDatabase(file);
    const bytes = fs.readFileSync(file);
    bytes.fill(0xee, 100, 4096);
    fs.writeFileSync(file, bytes);
    await expectKeptAside(dir, file, /was damaged/);
  });

  it("keeps another program's SQLite database aside", async () => {
    const { dir, file } = dataDirWith('foreign', (f) => {
      const db = new Database(f);
      db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not ours')");
      db.close();
    });
    await expectKeptAside(dir, file, /belonged to another program/);
  });

  it('refuses a database from a newer version with a clear error and leaves it exactly as it was', async () => {
    const { dir, file } = dataDirWith('newer', () => undefined);
    await genuineDatabase(file);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = fs.readFileSync(file);
    const listing = fs.readdirSync(dir).sort();

    const error = await createCore({ dataDir: dir, log: () => undefined }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseOpenError);
    expect(error).toMatchObject({
      reason: 'newer',
      message: expect.stringMatching(/newer Agent Inbox.*update the app/),
    });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
  });
});
