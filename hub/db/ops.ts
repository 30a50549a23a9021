// Ops, the shared state agents change: each op id claimed once per team, and the changes to a conversation
// it stands for (status, assignee, tags, snooze), its notes and each agent's read state. Every write is scoped
// to the team: a conversation of another team is as unknown as one that does not exist.
import type { ConversationStatus } from '../../main/domain/entities';
import type { Note } from '../../main/contract/hub';
import type { Queryable, Tx } from './database';
import { lockChannel } from './ingest';

/**
 * Locks the team's conversations with these ids, in id order, for the rest of the transaction; with
 * `channelsFirst`, their channels' write locks before them (the order sync takes them in, hub/db/ingest.ts).
 */
export async function lockConversations(
  t: Tx,
  teamId: string,
  ids: number[],
  channelsFirst: boolean,
): Promise<void> {
  if (channelsFirst) {
    const { rows } = await t.query<{ channel_id: string }>(
      `SELECT DISTINCT channel_id FROM conversations WHERE team_id = $1 AND id = ANY($2::bigint[])
       ORDER BY channel_id`,
      [teamId, ids],
    );
    for (const r of rows) await lockChannel(t, r.channel_id);
  }
  await t.query(
    `SELECT 1 FROM conversations WHERE team_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`,
    [teamId, ids],
  );
}

/** Claims the op id for the team; false when it was claimed before (the op is a duplicate). */
export async function claimOp(t: Tx, { teamId, opId, agentId, kind }: OpClaim): Promise<boolean> {
  // Claimed before the op applies, so a concurrent claim of the same id waits here for this transaction's end.
  const { rowCount } = await t.query(
    `INSERT INTO ops (team_id, id, agent_id, kind, result) VALUES ($1, $2, $3, $4, '{"status":"applied"}')
     ON CONFLICT DO NOTHING`,
    [teamId, opId, agentId, kind],
  );
  return rowCount === 1;
}

/** Withdraws the claim of an op that was not applied, so a later retry of its id is judged afresh. */
export async function withdrawOp(t: Tx, teamId: string, opId: string): Promise<void> {
  await t.query('DELETE FROM ops WHERE team_id = $1 AND id = $2', [teamId, opId]);
}

export interface ConversationChange {
  status?: ConversationStatus;
  tags?: string[];
  /** Set with `status`: the snooze's end (null: none). */
  snoozedUntil?: string | null;
}

export interface OpClaim {
  teamId: string;
  opId: string;
  agentId: string;
  kind: string;
}

/** One op of a batch that changes a conversation's status, tags or snooze. */
export interface ConversationOp {
  opId: string;
  kind: string;
  conversationId: number;
  change: ConversationChange;
}

export type ConversationOpOutcome = 'applied' | 'duplicate' | 'not_found';

/**
 * Claims a batch's conversation ops and applies them in one statement (a round trip per batch, not per op):
 * each op id is claimed once ('duplicate' when it was claimed before, or earlier in the batch); an op on a
 * conversation the team does not have claims nothing ('not_found'). A conversation changed by several ops ends
 * as they leave it one after the other: the last status, tags and snooze of the batch win. Answers in input order.
 */
export async function claimAndChangeConversations(
  t: Tx,
  teamId: string,
  agentId: string,
  ops: ConversationOp[],
): Promise<ConversationOpOutcome[]> {
  if (!ops.length) return [];
  const input = ops.map((o, ord) => ({
    ord,
    op_id: o.opId,
    kind: o.kind,
    conv: o.conversationId,
    status: o.change.status ?? null,
    tags: o.change.tags ?? null,
    set_snooze: o.change.snoozedUntil !== undefined,
    snoozed_until: o.change.snoozedUntil ?? null,
  }));
  const { rows } = await t.query<{ ord: number; outcome: ConversationOpOutcome }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(ord INT, op_id TEXT, kind TEXT, conv BIGINT, status TEXT,
                                                        tags JSONB, set_snooze BOOLEAN, snoozed_until TIMESTAMPTZ)
     ), known AS (
       SELECT i.* FROM input i JOIN conversations v ON v.id = i.conv AND v.team_id = $1
     ), claim AS (
       INSERT INTO ops (team_id, id, agent_id, kind, result)
       SELECT $1, op_id, $2, kind, '{"status":"applied"}' FROM known ORDER BY ord
       ON CONFLICT DO NOTHING RETURNING id
     ), claimed AS (
       SELECT DISTINCT ON (k.op_id) k.* FROM known k JOIN claim c ON c.id = k.op_id ORDER BY k.op_id, k.ord
     ), folded AS (
       SELECT conv,
              (array_agg(status ORDER BY ord DESC) FILTER (WHERE status IS NOT NULL))[1] AS status,
              (array_agg(tags ORDER BY ord DESC) FILTER (WHERE tags IS NOT NULL))[1] AS tags,
              bool_or(set_snooze) AS set_snooze,
              (array_agg(snoozed_until ORDER BY ord DESC) FILTER (WHERE set_snooze))[1] AS snoozed_until
       FROM claimed GROUP BY conv
     ), changed AS (
       UPDATE conversations v SET status = COALESCE(f.status, v.status), tags = COALESCE(f.tags, v.tags),
              snoozed_until = CASE WHEN f.set_snooze THEN f.snoozed_until ELSE v.snoozed_until END
       FROM folded f WHERE v.id = f.conv AND v.team_id = $1 RETURNING v.id
     )
     SELECT i.ord,
            CASE WHEN i.ord IN (SELECT ord FROM claimed) THEN 'applied'
                 WHEN i.ord IN (SELECT ord FROM known) THEN 'duplicate'
                 ELSE 'not_found' END AS outcome
     FROM input i ORDER BY i.ord`,
    [teamId, agentId, JSON.stringify(input)],
  );
  return rows.map((r) => r.outcome);
}

export type AssignOutcome =
  | { applied: true }
  | { applied: false; current: { assigneeId: string | null; assigneeName: string | null } }
  | { applied: false; current: null };

/**
 * Compare-and-set of the assignee: applied only while the conversation is assigned to `expected` (null: to
 * nobody). Two claims at once serialize on the row; the second sees the first's assignee and is answered the
 * winner. `current: null`: no such conversation in the team.
 */
export async function compareAndSetAssignee(
  q: Queryable,
  teamId: string,
  id: number,
  assigneeId: string | null,
  expected: string | null,
): Promise<AssignOutcome> {
  const { rowCount } = await q.query(
    `UPDATE conversations SET assignee_id = $3
     WHERE id = $1 AND team_id = $2 AND assignee_id IS NOT DISTINCT FROM $4::uuid`,
    [id, teamId, assigneeId, expected],
  );
  if (rowCount === 1) return { applied: true };
  const { rows } = await q.query<{ assigneeId: string | null; assigneeName: string | null }>(
    `SELECT v.assignee_id AS "assigneeId", a.name AS "assigneeName"
     FROM conversations v LEFT JOIN agents a ON a.id = v.assignee_id WHERE v.id = $1 AND v.team_id = $2`,
    [id, teamId],
  );
  return { applied: false, current: rows[0] ?? null };
}

/** Whether the team has this conversation (an op on any other id is rejected). */
export async function teamHasConversation(q: Queryable, teamId: string, id: number): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM conversations WHERE id = $1 AND team_id = $2', [
    id,
    teamId,
  ]);
  return rowCount === 1;
}

/** Appends an internal note to a conversation of the team; null when the team has no such conversation. */
export async function insertNote(
  q: Queryable,
  teamId: string,
  conversationId: number,
  authorId: string,
  text: string,
): Promise<Note | null> {
  const { rows } = await q.query<Note>(
    `INSERT INTO notes (conversation_id, author_id, text)
     SELECT id, $3, $4 FROM conversations WHERE id = $1 AND team_id = $2
     RETURNING id::text, conversation_id::text AS "conversationId", author_id AS "authorId", text,
               created_at AS "createdAt"`,
    [conversationId, teamId, authorId, text],
  );
  return rows[0] ?? null;
}

/** Marks a conversation of the team read by the agent now; false when the team has no such conversation. */
export async function markRead(
  q: Queryable,
  teamId: string,
  conversationId: number,
  agentId: string,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO reads (agent_id, conversation_id, read_at)
     SELECT $3, id, now() FROM conversations WHERE id = $1 AND team_id = $2
     ON CONFLICT (agent_id, conversation_id) DO UPDATE SET read_at = excluded.read_at`,
    [conversationId, teamId, agentId],
  );
  return rowCount === 1;
}
