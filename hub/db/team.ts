// The team: the one-time setup, agents and their passwords' hashes, failed sign-ins (the throttle's memory,
// shared by every instance) and the audit trail of who changed what.
import type { AgentRole, TeamAgent } from '../../main/contract/hub';
import type { Queryable, Tx } from './database';
import type { AgentRow } from './sessions';

/** Serializes setups, so two at once cannot both find the database without a team. */
const SETUP_LOCK = 7_311_003;

const AGENT_COLUMNS = 'id, email, name, role, active';

export interface NewAgent {
  id: string;
  teamId: string;
  email: string;
  name: string;
  role: AgentRole;
  passwordHash: string;
}

/** Takes the setup lock (held to commit) and answers whether a team exists already. */
export async function lockSetup(t: Tx): Promise<{ teamExists: boolean }> {
  await t.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
  const { rows } = await t.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM teams) AS exists');
  return { teamExists: rows[0]!.exists };
}

export async function insertTeam(q: Queryable, id: string, name: string): Promise<void> {
  await q.query('INSERT INTO teams (id, name) VALUES ($1, $2)', [id, name]);
}

/** The new agent, or null when its email (any case) already has one. */
export async function insertAgent(q: Queryable, a: NewAgent): Promise<TeamAgent | null> {
  const { rows } = await q.query<TeamAgent>(
    `INSERT INTO agents (id, team_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING ${AGENT_COLUMNS}`,
    [a.id, a.teamId, a.email, a.name, a.role, a.passwordHash],
  );
  return rows[0] ?? null;
}

export async function teamAgents(q: Queryable, teamId: string): Promise<TeamAgent[]> {
  const { rows } = await q.query<TeamAgent>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = $1 ORDER BY lower(name), id`,
    [teamId],
  );
  return rows;
}

/** The active agent of the team with this id, or null. */
export async function activeAgent(q: Queryable, teamId: string, id: string): Promise<TeamAgent | null> {
  const { rows } = await q.query<TeamAgent>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = $1 AND id = $2 AND active`,
    [teamId, id],
  );
  return rows[0] ?? null;
}

/** An active agent signing in, with its password's hash; null for an unknown or deactivated email. */
export async function agentForSignIn(
  q: Queryable,
  email: string,
): Promise<(AgentRow & { passwordHash: string }) | null> {
  const { rows } = await q.query<AgentRow & { passwordHash: string }>(
    `SELECT id, team_id AS "teamId", email, name, role, password_hash AS "passwordHash"
     FROM agents WHERE lower(email) = lower($1) AND active`,
    [email],
  );
  return rows[0] ?? null;
}

export interface AgentChange {
  name?: string;
  role?: AgentRole;
  passwordHash?: string;
  active?: boolean;
}

/**
 * Changes an agent of the team, unless that would leave the team without an active admin: the team's active
 * admins are locked first, so two admins demoting each other at once cannot both succeed.
 */
export async function updateAgent(
  t: Tx,
  teamId: string,
  id: string,
  c: AgentChange,
): Promise<TeamAgent | 'not_found' | 'last_admin'> {
  const { rows: admins } = await t.query<{ id: string }>(
    `SELECT id FROM agents WHERE team_id = $1 AND role = 'admin' AND active ORDER BY id FOR UPDATE`,
    [teamId],
  );
  const losesAdmin = (c.role !== undefined && c.role !== 'admin') || c.active === false;
  if (losesAdmin && admins.length === 1 && admins[0]!.id === id) return 'last_admin';
  const { rows } = await t.query<TeamAgent>(
    `UPDATE agents SET name = COALESCE($3, name), role = COALESCE($4, role),
            password_hash = COALESCE($5, password_hash), active = COALESCE($6, active)
     WHERE team_id = $1 AND id = $2 RETURNING ${AGENT_COLUMNS}`,
    [teamId, id, c.name ?? null, c.role ?? null, c.passwordHash ?? null, c.active ?? null],
  );
  return rows[0] ?? 'not_found';
}

/** How many failed sign-ins each subject may have in the window before it is refused. */
export interface ThrottleRule {
  subject: string;
  limit: number;
}

/**
 * Seconds until every subject is below its limit again (0: none is throttled), counting the failures of the
 * last `windowSeconds`.
 */
export async function throttledFor(
  q: Queryable,
  rules: ThrottleRule[],
  windowSeconds: number,
): Promise<number> {
  const { rows } = await q.query<{ wait: number | null }>(
    `SELECT max(ceil(extract(epoch FROM f.failed_at + make_interval(secs => $3) - now())))::int AS wait
     FROM unnest($1::text[], $2::int[]) AS r(subject, lim)
     CROSS JOIN LATERAL (
       SELECT failed_at FROM signin_failures
       WHERE subject = r.subject AND failed_at > now() - make_interval(secs => $3)
       ORDER BY failed_at DESC OFFSET r.lim - 1 LIMIT 1
     ) f`,
    [rules.map((r) => r.subject), rules.map((r) => r.limit), windowSeconds],
  );
  return Math.max(0, rows[0]?.wait ?? 0);
}

export async function recordSignInFailure(q: Queryable, subjects: string[]): Promise<void> {
  await q.query('INSERT INTO signin_failures (subject) SELECT unnest($1::text[])', [subjects]);
}

/** Forgets a subject's failures (its account signed in), and every failure older than the window. */
export async function clearSignInFailures(
  q: Queryable,
  subject: string,
  windowSeconds: number,
): Promise<void> {
  await q.query(
    `DELETE FROM signin_failures WHERE subject = $1 OR failed_at < now() - make_interval(secs => $2)`,
    [subject, windowSeconds],
  );
}

export interface AuditEntry {
  teamId: string;
  /** Who did it; null for the hub itself. */
  agentId: string | null;
  action: string;
  target?: string | null;
  detail?: unknown;
}

/** Appends to the audit trail (one statement however many entries). */
export async function appendAudit(q: Queryable, ...entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await q.query(
    `INSERT INTO audit (team_id, agent_id, action, target, detail)
     SELECT a.team_id, a.agent_id, a.action, a.target, a.detail
     FROM jsonb_to_recordset($1::jsonb) AS a(team_id UUID, agent_id UUID, action TEXT, target TEXT, detail JSONB)`,
    [
      JSON.stringify(
        entries.map((e) => ({
          team_id: e.teamId,
          agent_id: e.agentId,
          action: e.action,
          target: e.target ?? null,
          detail: e.detail ?? null,
        })),
      ),
    ],
  );
}
