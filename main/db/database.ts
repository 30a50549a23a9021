// Opening the SQLite file: pragmas, integrity of what we open, and versioned migrations.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { migrations } from './migrations';
import { checkpointInBackground } from './checkpointer';

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

/** SQLite's own verdict that a file is not a database or is damaged (extended codes included). */
const isCorruption = (e: unknown) => /^SQLITE_(NOTADB|CORRUPT)/.test(String((e as { code?: unknown }).code));

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');

/** A file that does not start like a SQLite database is refused before SQLite touches it (and its -wal). */
function checkHeader(file: string): void {
  let head: Buffer;
  try {
    head = Buffer.alloc(SQLITE_MAGIC.length);
    const fd = fs.openSync(file, 'r');
    try {
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return; // missing or unreadable: SQLite creates it or says why it cannot
  }
  if (head.length > 0 && !head.equals(SQLITE_MAGIC))
    throw new DatabaseOpenError('corrupt', `${file} is not a SQLite database (its header is wrong)`);
}

const isFile = (file: string) => file !== '' && file !== ':memory:';

/**
 * The database and its -wal and -shm files are readable by the user alone, whatever the directory's mode.
 * SQLite creates the main file 0644 (less the umask) but gives the -wal and -shm the main file's mode, so
 * the main file is created 0600 before SQLite opens it; files left readable by an earlier version are narrowed.
 */
function keepPrivate(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (process.platform === 'win32') return; // modes are POSIX; Windows keeps the profile's ACLs
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (fs.statSync(f).mode & 0o077) fs.chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export function openDatabase(file: string, o: OpenOptions = {}): Sqlite {
  try {
    if (isFile(file) && !o.readonly) keepPrivate(file);
  } catch (e) {
    throw new DatabaseOpenError('readonly', `cannot open the database ${file}: ${(e as Error).message}`);
  }
  checkHeader(file);
  let db: Sqlite;
  try {
    db = new Database(file, { nativeBinding: o.nativeBinding, readonly: Boolean(o.readonly) });
  } catch (e) {
    throw new DatabaseOpenError('readonly', `cannot open the database ${file}: ${(e as Error).message}`);
  }
  try {
    // Everything up to the version check only reads, so a file we refuse is never written to.
    // Reading the schema is the first thing that fails on a file that is not SQLite.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    checkVersion(db, file);
    if (!o.readonly) db.pragma('journal_mode = WAL');
    configure(db);
    migrate(db);
  } catch (e) {
    db.close();
    if (e instanceof DatabaseOpenError) throw e;
    if (isCorruption(e))
      throw new DatabaseOpenError(
        'corrupt',
        `${file} is not a readable SQLite database (${(e as Error).message})`,
      );
    throw new DatabaseOpenError('readonly', `cannot open the database ${file}: ${(e as Error).message}`);
  }
  if (!o.readonly) checkpointInBackground(db, o.nativeBinding);
  return db;
}

function configure(db: Sqlite): void {
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // Two connections write (the app's and the sync writer's, syncWriter.ts): one waits while the other commits.
  // Its wait is bounded by the batches already sent to the writer (a thread blocked here sends no more), a
  // few hundred ms at most even for a provider's first listing of thousands of conversations.
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  // Deleted rows (a removed channel's encrypted credentials, its cached messages) are zeroed in their pages
  // instead of lingering in free space; FAST adds no I/O.
  db.pragma('secure_delete = FAST');
}

/** Another connection to a database openDatabase has opened (and migrated), for a worker thread. */
export function openConnection(file: string, nativeBinding?: string): Sqlite {
  const db = new Database(file, { fileMustExist: true, nativeBinding });
  configure(db);
  return db;
}

function checkVersion(db: Sqlite, file: string): void {
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
      throw new DatabaseOpenError('foreign', `${file} is a SQLite database of another program`);
  }
}

function migrate(db: Sqlite): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > version);
  if (!pending.length) return;
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of pending) {
    // Dropping the old copy of a rebuilt table with foreign keys on would cascade into the rows that reference
    // it (and the pragma cannot change inside a transaction).
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.up);
        const broken = m.rebuildsTables ? (db.pragma('foreign_key_check') as unknown[]).length : 0;
        if (broken)
          throw new Error(`migration ${m.version} (${m.name}) would leave ${broken} broken references`);
        record.run(m.version, m.name, new Date().toISOString());
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
  db.pragma('optimize');
}
