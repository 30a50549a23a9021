// Presence: which agents view a conversation and who types in it, kept in PostgreSQL with short expiries so
// every instance answers the same set. Each change says which conversation's set it changed, for the caller to
// announce; an expiry is removed (and so announced) by exactly one instance.
import type { Queryable } from './database';

export type PresenceState = 'viewing' | 'typing';
export interface PresentAgent {
  id: string;
  state: PresenceState;
}
export interface PresenceKey {
  teamId: string;
  conversationId: number;
}

export const VIEWING_TTL_S = 30;
export const TYPING_TTL_S = 6;

const STATE = `CASE WHEN typing_until > now() THEN 'typing' ELSE 'viewing' END`;

export interface PresenceReport extends PresenceKey {
  agentId: string;
  socketId: string;
  state: PresenceState | 'idle';
}

/**
 * Records what an agent does in a conversation of its team (idle: nothing, it left). Answers whether the
 * conversation's set changed (a report that only extends the expiry does not), and null for a conversation the
 * team does not have.
 */
export async function reportPresence(q: Queryable, r: PresenceReport): Promise<boolean | null> {
  const { rows } = await q.query<{ known: boolean; before: string | null; after: string | null }>(
    `WITH conv AS (SELECT id FROM conversations WHERE id = $2 AND team_id = $1),
     old AS (SELECT ${STATE} AS state FROM presence
             WHERE conversation_id = $2 AND agent_id = $3 AND viewing_until > now()),
     gone AS (DELETE FROM presence WHERE $5 = 'idle' AND conversation_id = $2 AND agent_id = $3),
     up AS (
       INSERT INTO presence (team_id, conversation_id, agent_id, viewing_until, typing_until, socket_id)
       SELECT $1, id, $3, now() + make_interval(secs => $6),
              CASE WHEN $5 = 'typing' THEN now() + make_interval(secs => $7) END, $4
       FROM conv WHERE $5 <> 'idle'
       ON CONFLICT (conversation_id, agent_id) DO UPDATE SET viewing_until = excluded.viewing_until,
         typing_until = excluded.typing_until, socket_id = excluded.socket_id
       RETURNING CASE WHEN typing_until IS NOT NULL THEN 'typing' ELSE 'viewing' END AS state
     )
     SELECT EXISTS (SELECT 1 FROM conv) AS known, (SELECT state FROM old) AS before, (SELECT state FROM up) AS after`,
    [r.teamId, r.conversationId, r.agentId, r.socketId, r.state, VIEWING_TTL_S, TYPING_TTL_S],
  );
  const row = rows[0]!;
  return row.known ? row.before !== row.after : null;
}

/** Who is in the conversation now. */
export async function presenceIn(q: Queryable, conversationId: number): Promise<PresentAgent[]> {
  const { rows } = await q.query<PresentAgent>(
    `SELECT agent_id AS id, ${STATE} AS state FROM presence
     WHERE conversation_id = $1 AND viewing_until > now() ORDER BY agent_id`,
    [conversationId],
  );
  return rows;
}

const KEYS = `RETURNING team_id AS "teamId", conversation_id AS "conversationId"`;

function distinctKeys(rows: PresenceKey[]): PresenceKey[] {
  const seen = new Map<number, PresenceKey>();
  for (const r of rows) seen.set(r.conversationId, r);
  return [...seen.values()];
}

/** Ends what expired: typing falls back to viewing, viewing ends. The conversations whose sets changed. */
export async function expirePresence(q: Queryable): Promise<PresenceKey[]> {
  const ended = await q.query<PresenceKey>(`DELETE FROM presence WHERE viewing_until <= now() ${KEYS}`);
  const stopped = await q.query<PresenceKey>(
    `UPDATE presence SET typing_until = NULL WHERE typing_until <= now() ${KEYS}`,
  );
  return distinctKeys([...ended.rows, ...stopped.rows]);
}

/** A connection closed: what it reported ends. The conversations whose sets changed. */
export async function dropPresenceOf(q: Queryable, socketId: string): Promise<PresenceKey[]> {
  const { rows } = await q.query<PresenceKey>(`DELETE FROM presence WHERE socket_id = $1 ${KEYS}`, [
    socketId,
  ]);
  return distinctKeys(rows);
}
