// Opening the SQLite file: pragmas, integrity of what we open, and versioned migrations.
import Database from 'better-sqlite3';
import { migrations } from './migrations';

export type Sqlite = Database.Database;

export class DatabaseOpenError extends Error {
  constructor(
    readonly reason: 'corrupt' | 'foreign' | 'newer' | 'readonly',
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

export interface OpenOptions {
  /** Path to a better_sqlite3.node built for the running runtime (Electron keeps its own). */
  nativeBinding?: string;
  readonly?: boolean;
}

export const SCHEMA_VERSION = migrations[migrations.length - 1].version;

export function openDatabase(file: string, o: OpenOptions = {}): Sqlite {
  let db: Sqlite;
  try {
    db = new Database(file, { nativeBinding: o.nativeBinding, readonly: Boolean(o.readonly) });
  } catch (e) {
    throw new DatabaseOpenError('corrupt', `cannot open the database ${file}: ${(e as Error).message}`);
  }
  try {
    // Reading the schema is the first thing that fails on a file that is not SQLite.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (!o.readonly) db.pragma('journal_mode = WAL');
  } catch (e) {
    db.close();
    throw new DatabaseOpenError(
      'corrupt',
      `${file} is not a readable SQLite database (${(e as Error).message}); it was left untouched`,
    );
  }
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 1000');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  try {
    migrate(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function migrate(db: Sqlite, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new DatabaseOpenError(
      'newer',
      `${file} was written by a newer Agent Inbox (schema ${version}, this version knows ${SCHEMA_VERSION}); update the app — the file was left untouched`,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0)
      throw new DatabaseOpenError(
        'foreign',
        `${file} is a SQLite database of another program; it was left untouched`,
      );
  }
  const pending = migrations.filter((m) => m.version > version);
  if (!pending.length) return;
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.name, new Date().toISOString());
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  db.pragma('optimize');
}
