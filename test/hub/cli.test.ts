// The hub's two commands as an operator runs them (npm run hub:pg, npm run hub): the files they write, the setup
// token given once per database, restarts within seconds after kill -9 of a hub or of PostgreSQL, the check that
// PostgreSQL's user can reach its data directory as root, and clear errors for bad flags.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/api';
import { tempDir } from '../helpers/tmp';

interface Command {
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code once npm has exited. */
  exited: Promise<number | null>;
}

/**
 * A restart counts as "within seconds" below this, from the command's first log line to its ready line: npm
 * and tsx loading the code come before, and take from 1 to 10 s on a busy two-CPU machine.
 */
const RESTART_WITHIN_MS = 10_000;

let root: { dir: string; cleanup: () => void };
const running = new Set<Command>();

beforeAll(() => {
  root = tempDir('agent-inbox-hub-cli-');
  // As root PostgreSQL runs as `postgres`, which must pass through the test's directories.
  fs.chmodSync(root.dir, 0o711);
});

afterAll(async () => {
  for (const c of running) stopGroup(c, 'SIGTERM');
  await Promise.all([...running].map((c) => c.exited));
  // A test that failed after a kill -9 may have left a PostgreSQL server running on one of its directories.
  const pidFiles = (fs.readdirSync(root.dir, { recursive: true }) as string[]).filter((f) =>
    f.endsWith(`pg${path.sep}postmaster.pid`),
  );
  for (const f of pidFiles) {
    const pid = Number(fs.readFileSync(path.join(root.dir, f), 'utf8').split('\n')[0]);
    await waitFor(
      'PostgreSQL stopped',
      () => !isPostgres(pid) || (process.kill(pid, 'SIGINT'), false),
      10_000,
    );
  }
  root.cleanup();
});

/** A live (not zombie) PostgreSQL process: the pid in a leftover postmaster.pid may have been reused since. */
function isPostgres(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.includes('(postgres)') && !stat.includes(') Z ');
  } catch {
    return false;
  }
}

function npmRun(script: 'hub' | 'hub:pg', args: string[], name: string): Command {
  const logFile = path.join(root.dir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  // A process group of its own, as a service manager would start it, so a kill reaches npm, tsx and node.
  const child = spawn('npm', ['run', '-s', script, '--', ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const command = { child, logFile, exited };
  running.add(command);
  void exited.then(() => running.delete(command));
  return command;
}

function stopGroup(c: Command, signal: NodeJS.Signals): void {
  try {
    process.kill(-c.child.pid!, signal);
  } catch {
    // Gone already.
  }
}

const readJson = <T>(file: string): T | null => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
};

const logOf = (c: Command) => fs.readFileSync(c.logFile, 'utf8');

/** `file` once it holds JSON that `ready` accepts; the command's log when it does not come or the command exits. */
async function jsonFrom<T>(
  c: Command,
  file: string,
  ready: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  let exitCode: number | null | undefined;
  void c.exited.then((code) => (exitCode = code));
  try {
    return await waitFor(
      file,
      () => {
        if (exitCode !== undefined) throw new Error(`exited with ${exitCode}`);
        const v = readJson<T>(file);
        return v && ready(v) ? v : null;
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; its output ends:\n${logOf(c).slice(-2000)}`);
  }
}

/** From the command's 'starting' log line to its 'ready' line: its own start, without npm and tsx loading. */
function startupMs(c: Command): number {
  const lines = logOf(c)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: string; msg: string });
  const at = (re: RegExp) => Date.parse(lines.find((l) => re.test(l.msg))!.time);
  return at(/ is ready/) - at(/^starting /);
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

interface HubJson {
  url: string;
  pid: number;
  setupToken?: string;
}

async function startHub(dir: string, args: string[], name: string) {
  const file = path.join(dir, 'hub.json');
  const command = npmRun('hub', ['--data-dir', dir, ...args], name);
  const info = await jsonFrom<HubJson>(command, file, (v) => inGroupOf(command, v.pid));
  return { command, info, file };
}

/** Whether `pid` (hub.json's: the node process under npm and tsx) is in this command's process group. */
function inGroupOf(c: Command, pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[4] === String(c.child.pid);
  } catch {
    return false;
  }
}

/** Any answer from the hub's HTTP API; an unauthenticated route answers 401 in the error envelope. */
async function answers(url: string): Promise<boolean> {
  const res = await fetch(`${url}/hub/v1/agents`).catch(() => null);
  if (!res) return false;
  const body = (await res.json()) as { error?: { code: string } };
  return res.status === 401 && body.error?.code === 'unauthorized';
}

const postmasterPid = (pgDir: string) =>
  Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('npm run hub:pg and npm run hub', () => {
  it('runs two instances on one hub:pg; restarts within seconds after kill -9 of a hub and of PostgreSQL', async () => {
    const pgData = path.join(root.dir, 'pg');
    const pgFile = path.join(pgData, 'pg.json');
    let pgCommand = npmRun('hub:pg', ['--data-dir', pgData], 'hub-pg');
    const { databaseUrl } = await jsonFrom<{ databaseUrl: string }>(
      pgCommand,
      pgFile,
      (v) => !!v.databaseUrl,
    );
    expect(modeOf(pgFile)).toBe(0o600);
    expect(Object.keys(readJson<object>(pgFile)!)).toEqual(['databaseUrl']);
    expect(new URL(databaseUrl).hostname).toBe('127.0.0.1');

    // A second hub:pg on the same data directory leaves the running server alone and says who runs it.
    const second = npmRun('hub:pg', ['--data-dir', pgData], 'hub-pg-second');
    // Two instances started together on a fresh database: exactly one of them created the setup token.
    const dirs = ['hub-a', 'hub-b'].map((n) => path.join(root.dir, n));
    const [a, b] = await Promise.all(
      dirs.map((dir, i) => startHub(dir, ['--database-url', databaseUrl], `hub-${i}`)),
    );
    expect(await second.exited).toBe(1);
    expect(logOf(second)).toMatch(/another process \(pid \d+\) runs PostgreSQL on .*; stop it first/);
    for (const h of [a!, b!]) {
      expect(modeOf(h.file)).toBe(0o600);
      expect(await answers(h.info.url)).toBe(true);
      expect(new URL(h.info.url).protocol).toBe('http:');
    }
    const tokens = [a!.info.setupToken, b!.info.setupToken].filter(Boolean);
    expect(tokens).toHaveLength(1);
    const creator = a!.info.setupToken ? a! : b!;
    expect(logOf(creator.command)).toContain(`Setup token (once, for POST /hub/v1/setup): ${tokens[0]}`);
    // Printed once, straight to stdout: no JSON log line carries it.
    const logLines = logOf(creator.command)
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(logLines.some((l) => l.includes(tokens[0]!))).toBe(false);
    expect(logLines.some((l) => l.includes(new URL(databaseUrl).password))).toBe(false);

    // kill -9 of a hub (its whole process group), then a restart: the same URL, and no new setup token.
    stopGroup(a!.command, 'SIGKILL');
    await a!.command.exited;
    const a2 = await startHub(dirs[0]!, ['--database-url', databaseUrl], 'hub-a2');
    const hubRestartMs = startupMs(a2.command);
    expect(a2.info.url).toBe(a!.info.url);
    expect(a2.info.setupToken).toBeUndefined();
    expect(await answers(a2.info.url)).toBe(true);

    // kill -9 of PostgreSQL itself: hub:pg says so and exits; started again it serves the same databaseUrl.
    process.kill(postmasterPid(path.join(pgData, 'pg')), 'SIGKILL');
    expect(await pgCommand.exited).not.toBe(0);
    expect(logOf(pgCommand)).toContain('PostgreSQL exited; start this command again');
    fs.rmSync(pgFile);
    pgCommand = npmRun('hub:pg', ['--data-dir', pgData], 'hub-pg2');
    const again = await jsonFrom<{ databaseUrl: string }>(pgCommand, pgFile, (v) => !!v.databaseUrl);
    const pgRestartMs = startupMs(pgCommand);
    expect(again.databaseUrl).toBe(databaseUrl);
    // The instances that kept running reach the database again through their pools.
    await waitFor('hub-b on the restarted PostgreSQL', () => answers(b!.info.url), 10_000);
    console.log(`restart after kill -9: hub ${hubRestartMs} ms, PostgreSQL ${pgRestartMs} ms`);
    expect(hubRestartMs).toBeLessThan(RESTART_WITHIN_MS);
    expect(pgRestartMs).toBeLessThan(RESTART_WITHIN_MS);

    // As a service manager stops it: SIGTERM to the group; PostgreSQL shuts down cleanly (its pid file goes).
    for (const h of [a2, b!]) process.kill(h.info.pid, 'SIGTERM');
    expect(await Promise.all([a2.command.exited, b!.command.exited])).toEqual([0, 0]);
    stopGroup(pgCommand, 'SIGTERM');
    await waitFor(
      'PostgreSQL stopped',
      () => !fs.existsSync(path.join(pgData, 'pg', 'postmaster.pid')),
      10_000,
    );
  }, 120_000);

  it('with its own PostgreSQL, restarts within seconds after kill -9 left that PostgreSQL running', async () => {
    const dir = path.join(root.dir, 'solo');
    const first = await startHub(dir, [], 'solo');
    expect(first.info.setupToken).toBeTruthy();
    const orphan = postmasterPid(path.join(dir, 'pg'));
    // Only the node process: its PostgreSQL child lives on, as after an OOM kill of the hub.
    process.kill(first.info.pid, 'SIGKILL');
    await first.command.exited;
    expect(() => process.kill(orphan, 0)).not.toThrow();

    const second = await startHub(dir, [], 'solo2');
    const restartMs = startupMs(second.command);
    expect(second.info.url).toBe(first.info.url);
    expect(await answers(second.info.url)).toBe(true);
    expect(postmasterPid(path.join(dir, 'pg'))).not.toBe(orphan);
    expect(logOf(second.command)).toContain('stopping an orphaned PostgreSQL server');
    console.log(`restart after kill -9 of a hub with its own PostgreSQL: ${restartMs} ms`);
    expect(restartMs).toBeLessThan(RESTART_WITHIN_MS);

    process.kill(second.info.pid, 'SIGTERM');
    expect(await second.command.exited).toBe(0);
    expect(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it.runIf(process.getuid?.() === 0)(
    'as root, names the directory PostgreSQL’s user cannot pass through',
    async () => {
      const closed = path.join(root.dir, 'closed');
      fs.mkdirSync(closed, { mode: 0o700 });
      fs.chmodSync(closed, 0o700);
      const c = npmRun('hub:pg', ['--data-dir', path.join(closed, 'data')], 'closed');
      expect(await c.exited).toBe(1);
      expect(logOf(c)).toContain(`cannot pass through ${closed} (mode 0700)`);
    },
  );

  it('refuses bad flags with a clear message', async () => {
    const cases: [string[], string][] = [
      [['--data-dir', root.dir, '--colour', 'blue'], "Unknown option '--colour'"],
      [['--data-dir'], "Option '--data-dir <value>' argument missing"],
      [['--port', '80'], '--data-dir DIR is required'],
      [['--data-dir', root.dir, '--port', 'http'], "--port must be a number from 0 to 65535, got 'http'"],
      [
        ['--data-dir', root.dir, '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
        'cannot read --tls-cert /nonexistent/cert.pem: ENOENT',
      ],
      [
        ['--data-dir', root.dir, '--tls-cert', '/nonexistent/cert.pem'],
        '--tls-cert and --tls-key go together',
      ],
      [
        ['--data-dir', root.dir, '--trust-proxy', 'proxy.example.com'],
        '--trust-proxy "proxy.example.com" is not an IP address or CIDR range',
      ],
    ];
    const runs = cases.map(([args], i) => npmRun('hub', args, `flags-${i}`));
    for (const [i, [, message]] of cases.entries()) {
      expect(await runs[i]!.exited).toBe(2);
      expect(logOf(runs[i]!)).toContain(message);
    }
  }, 60_000);
});
