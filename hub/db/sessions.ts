// Agents as the gate sees them, and their sessions (token hashes only).
import type { Queryable } from './database';

export interface AgentRow {
  id: string;
  teamId: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
}

/** The active agent a session token (its hash) belongs to, or null. Marks the session used, at most every few minutes. */
export async function sessionAgent(db: Queryable, tokenHash: Buffer): Promise<AgentRow | null> {
  const { rows } = await db.query<AgentRow & { stale: boolean }>(
    `SELECT a.id, a.team_id AS "teamId", a.email, a.name, a.role,
            s.last_used_at < now() - interval '5 minutes' AS stale
     FROM sessions s JOIN agents a ON a.id = s.agent_id
     WHERE s.token_hash = $1 AND a.active`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.stale)
    await db.query('UPDATE sessions SET last_used_at = now() WHERE token_hash = $1', [tokenHash]);
  const { stale: _, ...agent } = row;
  return agent;
}

export async function createSession(db: Queryable, agentId: string, tokenHash: Buffer): Promise<void> {
  await db.query('INSERT INTO sessions (token_hash, agent_id) VALUES ($1, $2)', [tokenHash, agentId]);
}

export async function deleteSession(db: Queryable, tokenHash: Buffer): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

/** Signs an agent out everywhere (deactivated, or password changed). */
export async function deleteSessionsOf(db: Queryable, agentId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE agent_id = $1', [agentId]);
}
