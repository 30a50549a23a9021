// The hub's PostgreSQL: one pool per instance, transactions that append to the change feed, and migrations
// that run once when several instances start together. Every module of hub/db takes a `Queryable` (the pool or
// an open transaction), so one function serves both.
import pg from 'pg';
import { migrations } from './migrations';

/** Columns come back as the API writes them: times as ISO strings, bigints as numbers (ids stay far below 2^53). */
const TIMESTAMPTZ = 1184;
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
    if (oid === INT8) return Number;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export type ChangeKind = 'conversation' | 'message' | 'note' | 'channel' | 'agent';

/** A change to the team's shared state, appended to the feed when its transaction commits. */
export interface ChangeDraft {
  teamId: string;
  kind: ChangeKind;
  conversationId?: number | null;
  data: unknown;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** An open transaction: queries, and the changes it will append to the feed as its last statement. */
export class Tx implements Queryable {
  readonly changes: ChangeDraft[] = [];
  constructor(private readonly client: pg.PoolClient) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) {
    return this.client.query<R>(sql, params);
  }

  change(c: ChangeDraft): void {
    this.changes.push(c);
  }
}

/** Any constant the whole database agrees on; these name the hub's two database-wide locks. */
const MIGRATION_LOCK = 7_311_001;
export const FEED_LOCK = 7_311_002;
/** Serialization failure and deadlock: the transaction is run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export type FeedListener = (teamId: string, head: number) => void;

export class HubDatabase implements Queryable {
  private readonly feedListeners = new Set<FeedListener>();

  private constructor(readonly pool: pg.Pool) {}

  static async open(databaseUrl: string, o: { max?: number } = {}): Promise<HubDatabase> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: o.max ?? 10, types });
    // A connection the server dropped (PostgreSQL restarted) is replaced on the next query; never a crash.
    pool.on('error', () => undefined);
    // Clients held outside a query (the socket.io adapter's LISTEN) get the same: their holder reconnects.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new HubDatabase(pool);
    await db.migrate();
    return db;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) {
    return this.pool.query<R>(sql, params);
  }

  /** Told after each commit that appended changes: the team and its new head. */
  onFeed(listener: FeedListener): () => void {
    this.feedListeners.add(listener);
    return () => this.feedListeners.delete(listener);
  }

  /**
   * Runs `fn` in one transaction and appends its changes at the end, under the feed lock: sequence numbers are
   * taken only while holding it, and it is held until commit, so a reader never sees seq N+1 before N commits.
   * Only the short tail of a transaction is serialized. Retried on a serialization failure or deadlock.
   */
  async tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const t = new Tx(client);
      let heads: Map<string, number> | null = null;
      try {
        await client.query('BEGIN');
        const value = await fn(t);
        if (t.changes.length) {
          // COMMIT is queued at once: the client sends it the moment the append answers, not after a turn of
          // this process's event loop, so the feed lock is held for as short a time as the server allows.
          const appended = appendChanges(t);
          const committed = client.query('COMMIT');
          heads = await appended;
          await committed;
        } else await client.query('COMMIT');
        client.release();
        for (const [teamId, head] of heads ?? []) for (const l of this.feedListeners) l(teamId, head);
        return value;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
        if (attempt < 5 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Applies the migrations this database lacks, one instance at a time (a session-level advisory lock). */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS hub_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM hub_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.up);
          await client.query('INSERT INTO hub_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`hub migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }
}

/** The transaction's changes, numbered under the feed lock; answers each team's new head. */
async function appendChanges(t: Tx): Promise<Map<string, number>> {
  // The lock and the insert in one statement (the lock's CTE is materialized, a volatile call): one round trip.
  const { rows } = await t.query<{ seq: number; team_id: string }>(
    `WITH feed AS (SELECT pg_advisory_xact_lock($2))
     INSERT INTO changes (seq, team_id, kind, conversation_id, data)
     SELECT nextval('changes_seq'), c.team_id, c.kind, c.conversation_id, c.data
     FROM feed, jsonb_to_recordset($1::jsonb) AS c(team_id UUID, kind TEXT, conversation_id BIGINT, data JSONB)
     RETURNING seq, team_id`,
    [
      JSON.stringify(
        t.changes.map((c) => ({
          team_id: c.teamId,
          kind: c.kind,
          conversation_id: c.conversationId ?? null,
          data: c.data,
        })),
      ),
      FEED_LOCK,
    ],
  );
  const heads = new Map<string, number>();
  for (const r of rows) heads.set(r.team_id, Math.max(heads.get(r.team_id) ?? 0, r.seq));
  return heads;
}
