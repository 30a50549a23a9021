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

/**
 * Claims the op and changes the team's conversation in one statement (the commonest ops, one round trip):
 * 'duplicate' when the op was claimed before, 'not_found' (claim made, to be withdrawn) when the team has no
 * such conversation.
 */
export async function claimAndChangeConversation(
  t: Tx,
  claim: OpClaim,
  id: number,
  c: ConversationChange,
): Promise<'applied' | 'duplicate' | 'not_found'> {
  const { rows } = await t.query<{ claimed: boolean; changed: boolean }>(
    `WITH claim AS (
       INSERT INTO ops (team_id, id, agent_id, kind, result) VALUES ($2, $7, $8, $9, '{"status":"applied"}')
       ON CONFLICT DO NOTHING RETURNING 1
     ), changed AS (
       UPDATE conversations SET status = COALESCE($3, status), tags = COALESCE($4::jsonb, tags),
              snoozed_until = CASE WHEN $5 THEN $6::timestamptz ELSE snoozed_until END
       WHERE id = $1 AND team_id = $2 AND EXISTS (SELECT 1 FROM claim) RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM claim) AS claimed, EXISTS (SELECT 1 FROM changed) AS changed`,
    [
      id,
      claim.teamId,
      c.status ?? null,
      c.tags ? JSON.stringify(c.tags) : null,
      c.snoozedUntil !== undefined,
      c.snoozedUntil ?? null,
      claim.opId,
      claim.agentId,
      claim.kind,
    ],
  );
  const r = rows[0]!;
  return !r.claimed ? 'duplicate' : r.changed ? 'applied' : 'not_found';
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
