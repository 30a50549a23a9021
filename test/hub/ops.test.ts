import crypto from 'node:crypto';
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

interface Result {
  id: string;
  status: string;
  current?: { assigneeId: string | null; assigneeName: string | null };
  reason?: string;
}
interface Change {
  seq: number;
  kind: string;
  conversationId?: string;
  data: Record<string, unknown>;
}

describe('hub ops', () => {
  let fresh: Awaited<ReturnType<typeof freshHubDatabase>>;
  let hub: TestHub;
  let teamId: string;
  let ana: SignedIn;
  let ben: SignedIn;
  let cy: SignedIn;
  const opId = () => crypto.randomUUID();

  const post = async (token: string, ops: unknown[]) => {
    const r = await hub.req<{ results: Result[] }>('POST', '/hub/v1/ops', { ops }, token);
    expect(r.status).toBe(200);
    return r.body.results;
  };
  const changesAfter = async (after: number) =>
    (
      await hub.req<{ items: Change[]; head: number }>(
        'GET',
        `/hub/v1/changes?after=${after}&limit=1000`,
        undefined,
        ana.token,
      )
    ).body;
  const head = async () => (await changesAfter(0)).head;

  beforeAll(async () => {
    fresh = await freshHubDatabase();
    hub = await startTestHub(fresh.url);
    const team = await setUpTeam(hub, ['Ben', 'Cy']);
    teamId = team.teamId;
    ana = team.admin;
    [ben, cy] = team.agents as [SignedIn, SignedIn];
  });
  afterAll(async () => {
    await hub.close();
    await fresh.drop();
  });

  it('applies status, tags, snooze and its end, each as a conversation change in the feed and an audit row', async () => {
    const conv = String(await seedConversation(hub.db, teamId));
    const from = await head();
    const ops = [
      { id: opId(), kind: 'status', conversationId: conv, status: 'pending' },
      { id: opId(), kind: 'tags', conversationId: conv, tags: ['vip', 'billing', 'vip'] },
      { id: opId(), kind: 'snooze', conversationId: conv, until: '2030-01-01T09:00:00Z' },
      { id: opId(), kind: 'snooze', conversationId: Number(conv), until: null },
    ];
    const results: Result[] = [];
    for (const op of ops) results.push(...(await post(ben.token, [op])));
    expect(results).toEqual(ops.map((o) => ({ id: o.id, status: 'applied' })));
    const feed = await changesAfter(from);
    expect(feed.items.map((c) => [c.kind, c.conversationId])).toEqual(ops.map(() => ['conversation', conv]));
    expect(feed.items.map((c) => [c.data.status, c.data.tags, c.data.snoozedUntil])).toEqual([
      ['pending', [], null],
      ['pending', ['vip', 'billing'], null],
      ['snoozed', ['vip', 'billing'], '2030-01-01T09:00:00.000Z'],
      ['open', ['vip', 'billing'], null],
    ]);
    expect(feed.items[0]!.data).toMatchObject({ id: conv, assigneeId: null, contact: expect.any(Object) });
    const { rows } = await hub.db.query<{ action: string; agent_id: string }>(
      'SELECT action, agent_id FROM audit WHERE target = $1 ORDER BY id',
      [conv],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'conversation.status',
      'conversation.tags',
      'conversation.snooze',
      'conversation.snooze',
    ]);
    expect(new Set(rows.map((r) => r.agent_id))).toEqual(new Set([ben.agent.id]));
  });

  it('appends notes to the feed (never to the outbox), keeps read state per agent, queues replies for the channel work', async () => {
    const conv = String(await seedConversation(hub.db, teamId));
    const from = await head();
    const [note, read, reply] = await post(ben.token, [
      { id: opId(), kind: 'note', conversationId: conv, text: 'Customer is on the annual plan' },
      { id: opId(), kind: 'read', conversationId: conv },
      { id: opId(), kind: 'reply', conversationId: conv, text: 'Hello from the team', basedOnSeq: from },
    ]);
    expect([note!.status, read!.status, reply!.status]).toEqual(['applied', 'applied', 'applied']);
    const feed = await changesAfter(from);
    const noteChange = feed.items.find((c) => c.kind === 'note')!;
    expect(noteChange).toMatchObject({
      conversationId: conv,
      data: { conversationId: conv, authorId: ben.agent.id, text: 'Customer is on the annual plan' },
    });
    const message = feed.items.find((c) => c.kind === 'message')!;
    expect(message.data).toMatchObject({
      text: 'Hello from the team',
      direction: 'out',
      status: 'queued',
      authorId: ben.agent.id,
    });
    const { rows: outbox } = await hub.db.query<{ payload: string }>(
      'SELECT payload FROM outbox WHERE conversation_id = $1',
      [Number(conv)],
    );
    expect(outbox.map((o) => JSON.parse(o.payload).text)).toEqual(['Hello from the team']);
    const { rows: reads } = await hub.db.query('SELECT agent_id FROM reads WHERE conversation_id = $1', [
      Number(conv),
    ]);
    expect(reads).toEqual([{ agent_id: ben.agent.id }]);
  });

  it('applies an op id once: a repeat answers duplicate, in one batch, in two requests at once, and after a retry', async () => {
    const conv = String(await seedConversation(hub.db, teamId));
    const id = opId();
    const reply = { id, kind: 'reply', conversationId: conv, text: 'Only once' };
    const [inBatch, again] = await post(ana.token, [reply, reply]);
    expect([inBatch!.status, again!.status]).toEqual(['applied', 'duplicate']);
    const racing = await Promise.all([post(ben.token, [reply]), post(cy.token, [reply])]);
    expect(racing.map((r) => r[0]!.status)).toEqual(['duplicate', 'duplicate']);
    const tagId = opId();
    const twice = await Promise.all([
      post(ben.token, [{ id: tagId, kind: 'tags', conversationId: conv, tags: ['a'] }]),
      post(cy.token, [{ id: tagId, kind: 'tags', conversationId: conv, tags: ['a'] }]),
    ]);
    expect(twice.map((r) => r[0]!.status).sort()).toEqual(['applied', 'duplicate']);
    const { rows } = await hub.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND text = 'Only once'`,
      [Number(conv)],
    );
    expect(rows[0]!.n).toBe(1);
    const { rows: tagChanges } = await hub.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit WHERE target = $1 AND action = 'conversation.tags'`,
      [conv],
    );
    expect(tagChanges[0]!.n).toBe(1);
  });

  it('assigns by compare-and-set: of two claims at once exactly one is applied, the other is a conflict naming the owner', async () => {
    for (let round = 0; round < 5; round++) {
      const conv = String(await seedConversation(hub.db, teamId));
      const claim = (who: SignedIn) => ({
        id: opId(),
        kind: 'assign',
        conversationId: conv,
        assigneeId: who.agent.id,
        expectedAssigneeId: null,
      });
      const [b, c] = await Promise.all([post(ben.token, [claim(ben)]), post(cy.token, [claim(cy)])]);
      const results = [b![0]!, c![0]!];
      const won = results.findIndex((r) => r.status === 'applied');
      expect(won).toBeGreaterThanOrEqual(0);
      const winner = won === 0 ? ben : cy;
      expect(results[1 - won]).toMatchObject({
        status: 'conflict',
        current: { assigneeId: winner.agent.id, assigneeName: winner.agent.name },
      });
      const { rows } = await hub.db.query<{ assignee_id: string }>(
        'SELECT assignee_id FROM conversations WHERE id = $1',
        [Number(conv)],
      );
      expect(rows[0]!.assignee_id).toBe(winner.agent.id);
    }
  });

  it('hands over with the expected assignee, unassigns with null, and refuses an assignee who is not an active agent of the team', async () => {
    const conv = String(await seedConversation(hub.db, teamId));
    const assign = (to: string | null, expected: string | null) => ({
      id: opId(),
      kind: 'assign',
      conversationId: conv,
      assigneeId: to,
      expectedAssigneeId: expected,
    });
    const from = await head();
    const results = await post(ana.token, [
      assign(ben.agent.id, null),
      assign(cy.agent.id, ben.agent.id),
      assign(null, ben.agent.id),
      assign(null, cy.agent.id),
      assign(crypto.randomUUID(), null),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'conflict', 'applied', 'rejected']);
    expect(results[2]!.current).toEqual({ assigneeId: cy.agent.id, assigneeName: 'Cy' });
    const feed = await changesAfter(from);
    // One batch: its conversation goes to the feed once, as the batch left it.
    expect(feed.items.map((c) => [c.kind, c.data.assigneeId])).toEqual([['conversation', null]]);
  });

  it("rejects another team's conversation and unknown ones, changing nothing", async () => {
    const other = await insertTeam(hub.db, 'Other');
    const theirs = await seedConversation(hub.db, other);
    const from = await head();
    const kinds = [
      { kind: 'status', status: 'resolved' },
      { kind: 'tags', tags: ['x'] },
      { kind: 'snooze', until: null },
      { kind: 'note', text: 'peek' },
      { kind: 'read' },
      { kind: 'reply', text: 'hi' },
      { kind: 'assign', assigneeId: ana.agent.id, expectedAssigneeId: null },
    ];
    for (const conversationId of [String(theirs), '999999999', 'abc']) {
      const results = await post(
        ana.token,
        kinds.map((k) => ({ id: opId(), conversationId, ...k })),
      );
      for (const r of results)
        expect(r).toMatchObject({
          status: 'rejected',
          reason: expect.stringMatching(/no (such )?conversation/i),
        });
    }
    expect((await changesAfter(from)).items).toEqual([]);
    const { rows } = await hub.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM notes) + (SELECT count(*) FROM reads WHERE conversation_id = $1)
              + (SELECT count(*) FROM messages WHERE conversation_id = $1 AND direction = 'out') AS n`,
      [theirs],
    );
    expect(Number(rows[0]!.n)).toBe(1); // the note of the earlier test only
  });

  it('rejects a malformed op alone, and answers 400 to a malformed envelope', async () => {
    const conv = String(await seedConversation(hub.db, teamId));
    const good = { id: opId(), kind: 'status', conversationId: conv, status: 'resolved' };
    const results = await post(ana.token, [
      { id: 'u1', kind: 'launch', conversationId: conv },
      { id: 'u2', kind: 'status', conversationId: conv },
      { id: 'u3', kind: 'status', conversationId: conv, status: 'closed' },
      { id: 'u4', kind: 'assign', conversationId: conv, assigneeId: 'not-a-uuid', expectedAssigneeId: null },
      good,
    ]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['u1', 'rejected'],
      ['u2', 'rejected'],
      ['u3', 'rejected'],
      ['u4', 'rejected'],
      [good.id, 'applied'],
    ]);
    expect(results[1]!.reason).toContain('status');
    const from = await head();
    const tooMany = Array.from({ length: 501 }, () => ({ id: opId(), kind: 'read', conversationId: conv }));
    for (const body of [
      {},
      { ops: 'x' },
      { ops: [] },
      { ops: [{ kind: 'read' }] },
      { ops: tooMany },
      { ops: [good], more: 1 },
    ])
      expect((await hub.req('POST', '/hub/v1/ops', body, ana.token)).status).toBe(400);
    expect((await hub.req('POST', '/hub/v1/ops', { ops: [good] })).status).toBe(401);
    expect((await changesAfter(from)).items).toEqual([]);
  });
});
