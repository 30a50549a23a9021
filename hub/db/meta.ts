// Database-wide facts of the hub: the one-time setup token (kept as its SHA-256).
import crypto from 'node:crypto';
import type { Queryable } from './database';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * The setup token belongs to the database: the first instance on a database without a team creates it and
 * answers it (to print and write to its hub.json); every later instance answers null and never rotates it.
 */
export async function ensureSetupToken(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM teams) AS exists');
  if (rows[0]!.exists) return null;
  const token = crypto.randomBytes(24).toString('base64url');
  const inserted = await db.query(
    `INSERT INTO hub_meta (key, value) VALUES ('setup_token_sha256', $1) ON CONFLICT (key) DO NOTHING`,
    [sha256(token)],
  );
  return inserted.rowCount === 1 ? token : null;
}

/** Whether `token` is the setup token, still unused (no team yet). */
export async function setupTokenMatches(db: Queryable, token: string): Promise<boolean> {
  const { rows } = await db.query<{ value: string }>(
    `SELECT value FROM hub_meta WHERE key = 'setup_token_sha256' AND NOT EXISTS (SELECT 1 FROM teams)`,
  );
  const want = rows[0]?.value;
  if (!want) return false;
  return crypto.timingSafeEqual(Buffer.from(want, 'hex'), Buffer.from(sha256(token), 'hex'));
}

/** Keeps `value` under `key` unless the database has one already (the first instance's wins); answers the kept one. */
export async function keepMeta(db: Queryable, key: string, value: string): Promise<string> {
  await db.query('INSERT INTO hub_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    value,
  ]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM hub_meta WHERE key = $1', [key]);
  return rows[0]!.value;
}
