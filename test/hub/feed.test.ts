import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHubDatabase } from '../helpers/hubDb';
import {
  insertTeam,
  seedConversation,
  setUpTeam,
  startTestHub,
  type SignedIn,
  type TestHub,
} from '../helpers/hubTeam';
import { conversationViews } from '../../hub/db/views';

interface Change {
  seq: number;
  kind: string;
  conversationId?: string;
  data: { id: string; [k: string]: unknown };
}
interface Page {
  conversations?: {
    id: string;
    assigneeId: string | null;
    tags: string[];
    lastMessage: { id: string } | null;
  }[];
  messages?: { id: string; conversationId: string; text: string }[];
  nextCursor?: string;
  head?: number;
}

describe('hub change feed and snapshot', () => {
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let hub: TestHub;
  let teamId: string;
  let ana: SignedIn;

  const changes = async (after: number, limit = 1000) =>
    (
      await hub.req<{ items: Change[]; head: number }>(
        'GET',
        `/hub/v1/changes?after=${after}&limit=${limit}`,
        undefined,
        ana.token,
      )
    ).body;
  const feedFrom = async (after: number) => {
    const all: Change[] = [];
    for (let at = after; ;) {
      const page = await changes(at, 7);
      if (!page.items.length) return { items: all, head: page.head };
      all.push(...page.items);
      at = page.items.at(-1)!.seq;
    }
  };
  const tag = (conversationId: number | string, tags: string[]) =>
    hub.req(
      'POST',
      '/hub/v1/ops',
      { ops: [{ id: crypto.randomUUID(), kind: 'tags', conversationId: String(conversationId), tags }] },
      ana.token,
    );

  beforeAll(async () => {
    fresh = await freshHubDatabase();
    hub = await startTestHub(fresh.url);
    const team = await setUpTeam(hub);
    teamId = team.teamId;
    ana = team.admin;
  });
  afterAll(async () => {
    await hub.close();
    await fresh.drop();
  });

  it('pages the feed in strictly increasing order up to its head, and only the caller team’s', async () => {
    const other = await insertTeam(hub.db, 'Other');
    const theirs = await seedConversation(hub.db, other);
    await hub.db.tx(async (t) =>
      t.change({ teamId: other, kind: 'conversation', conversationId: theirs, data: { id: String(theirs) } }),
    );
    const conv = await seedConversation(hub.db, teamId);
    for (let i = 0; i < 20; i++) await tag(conv, [`t${i}`]);
    const { items, head } = await feedFrom(0);
    const seqs = items.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(items.filter((c) => c.kind === 'conversation')).toHaveLength(20);
    expect(items.some((c) => c.conversationId === String(theirs))).toBe(false);
    expect(head).toBe(seqs.at(-1));
    const firstTwo = await changes(0, 2);
    expect(firstTwo.items).toHaveLength(2);
    expect(firstTwo.head).toBe(head);
    expect((await changes(Number.MAX_SAFE_INTEGER)).items).toEqual([]);
  });

  it('answers 400 to bad paging', async () => {
    for (const q of ['after=-1', 'after=abc', 'limit=0', 'limit=1001', 'after=1.5', 'since=3'])
      expect((await hub.req('GET', `/hub/v1/changes?${q}`, undefined, ana.token)).status).toBe(400);
    expect((await hub.req('GET', '/hub/v1/snapshot?cursor=bogus', undefined, ana.token)).status).toBe(400);
  });

  it('never skips a change that commits after a later-started one: a reader past it still reads it', async () => {
    const conv = await seedConversation(hub.db, teamId);
    const quick = await seedConversation(hub.db, teamId);
    const start = (await changes(Number.MAX_SAFE_INTEGER)).head;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // A long transaction that began first and commits last...
    const slow = hub.db.tx(async (t) => {
      await t.query('UPDATE conversations SET unread_count = 7 WHERE id = $1', [conv]);
      t.change({
        teamId,
        kind: 'conversation',
        conversationId: conv,
        data: { id: String(conv), slow: true },
      });
      await gate;
    });
    await new Promise((r) => setTimeout(r, 100));
    // ...while a quick one commits and a reader moves past it.
    expect((await tag(quick, ['quick'])).status).toBe(200);
    const seen = await feedFrom(start);
    expect(seen.items.map((c) => c.data.slow ?? c.data.tags)).toEqual([['quick']]);
    release();
    await slow;
    const later = await feedFrom(seen.head);
    expect(later.items.map((c) => c.data.slow)).toEqual([true]);
  });

  it('streams a snapshot in pages, then its head; with the feed after it, the desktop holds every conversation as it is', async () => {
    // 1,100 conversations (three pages), each with 25 messages, as sync stores them.
    const { rows: channel } = await hub.db.query<{ id: string }>(
      'SELECT id FROM channels WHERE team_id = $1',
      [teamId],
    );
    await hub.db.query(
      `WITH c AS (
         INSERT INTO contacts (channel_id, external_id, name, handle)
         SELECT $1, 'bulk' || i, 'Bulk ' || i, 'bulk' || i FROM generate_series(1, 1100) i RETURNING id, external_id
       ), v AS (
         INSERT INTO conversations (team_id, channel_id, external_id, contact_id, last_activity_at)
         SELECT $2, $1, c.external_id, c.id, now() FROM c RETURNING id
       )
       INSERT INTO messages (conversation_id, channel_id, external_id, direction, text, type, created_at, status)
       SELECT v.id, $1, 'm' || k, 'in', 'message ' || k, 'text', now() - make_interval(secs => 100 - k), 'received'
       FROM v, generate_series(1, 25) k`,
      [channel[0]!.id, teamId],
    );
    await hub.db.query(
      `UPDATE conversations v SET last_message_id = (SELECT max(id) FROM messages WHERE conversation_id = v.id) WHERE team_id = $1`,
      [teamId],
    );
    const { rows: ids } = await hub.db.query<{ id: number }>(
      'SELECT id FROM conversations WHERE team_id = $1 ORDER BY id',
      [teamId],
    );

    const got = new Map<string, NonNullable<Page['conversations']>[number]>();
    const messages = new Map<string, string[]>();
    let cursor: string | undefined;
    let pages = 0;
    let head: number | undefined;
    while (head === undefined) {
      const r = await hub.req<Page>(
        'GET',
        `/hub/v1/snapshot${cursor ? `?cursor=${cursor}` : ''}`,
        undefined,
        ana.token,
      );
      expect(r.status).toBe(200);
      if (r.body.head !== undefined) {
        head = r.body.head;
        break;
      }
      pages++;
      for (const c of r.body.conversations!) got.set(c.id, c);
      for (const m of r.body.messages!)
        messages.set(m.conversationId, [...(messages.get(m.conversationId) ?? []), m.text]);
      cursor = r.body.nextCursor;
      if (pages === 1) {
        // Meanwhile the team works: one conversation on a page not sent yet, one already sent, one new.
        await tag(ids[0]!.id, ['during']);
        await tag(ids.at(-1)!.id, ['during']);
        const created = await seedConversation(hub.db, teamId, { messages: 2 });
        await hub.db.tx(async (t) => {
          const [view] = await conversationViews(t, [created]);
          t.change({ teamId, kind: 'conversation', conversationId: created, data: view });
        });
      }
    }
    expect(pages).toBe(3);
    expect(got.size).toBe(ids.length);
    const bulk = messages.get(String(ids.at(-2)!.id))!;
    expect(bulk).toHaveLength(20);
    expect(bulk[0]).toBe('message 25');
    const atStart = (await changes(0)).items.filter((c) => c.seq <= head!);
    expect(atStart.every((c) => !(c.data.tags as string[] | undefined)?.includes('during'))).toBe(true);

    for (const c of (await feedFrom(head!)).items)
      if (c.kind === 'conversation') got.set(c.data.id, c.data as never);
    const { rows: now } = await hub.db.query<{ id: number }>(
      'SELECT id FROM conversations WHERE team_id = $1',
      [teamId],
    );
    const views = await conversationViews(
      hub.db,
      now.map((r) => r.id),
    );
    expect(got.size).toBe(views.length);
    for (const v of views) expect(got.get(v.id)).toEqual(v);
  });
});
