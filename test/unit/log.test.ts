// Logging (main/log.ts): secrets redacted by path wherever they sit in a logged object, levels, and a
// log file that rolls over at its size limit.
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  fastifyLogger,
  levelFromEnv,
  lineLogger,
  LOG_FILE_NAME,
  REDACTED,
  RotatingFile,
  type Logger,
} from '../../main/log';
import { tempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

const SECRETS = [
  'Bearer s3cret-bearer',
  'k3y-header',
  't0ken-value',
  'ap1-key',
  'pa55word',
  'w3bhook',
  'c00kie',
];

/** An entry with every kind of secret the app handles, at the depths they come in. */
const entry = () => ({
  req: { method: 'GET', headers: { authorization: SECRETS[0], 'x-api-key': SECRETS[1], host: '127.0.0.1' } },
  token: SECRETS[2],
  credentials: { apiKey: SECRETS[3], password: SECRETS[4] },
  channel: { id: 'c1', webhookSecret: SECRETS[5], credentials: { token: SECRETS[2] } },
  response: { headers: { 'set-cookie': SECRETS[6] } },
});

const fileLines = (dir: string, name = LOG_FILE_NAME) =>
  fs
    .readFileSync(path.join(dir, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('redaction', () => {
  it('writes the log file without any credential, token or auth header, by path', () => {
    tmp = tempDir();
    const log = createLogger({ dir: tmp.dir });
    log.warn(entry(), 'provider refused the request');
    const text = fs.readFileSync(path.join(tmp.dir, LOG_FILE_NAME), 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const [line] = fileLines(tmp.dir);
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'provider refused the request',
      req: { method: 'GET', headers: { authorization: REDACTED, 'x-api-key': REDACTED, host: '127.0.0.1' } },
      token: REDACTED,
      credentials: REDACTED,
      channel: { id: 'c1', webhookSecret: REDACTED, credentials: REDACTED },
      response: { headers: { 'set-cookie': REDACTED } },
    });
  });

  it('redacts in child loggers, in line sinks, and in fastify’s own logger', () => {
    const lines: string[] = [];
    const sink = lineLogger((l) => lines.push(l));
    sink.child({ component: 'outbox' }).error(entry(), 'send failed');
    const app = Fastify({ loggerInstance: fastifyLogger(sink) });
    app.log.info(entry(), 'from fastify');
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith('send failed {')).toBe(true);
    for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
  });
});

describe('levels', () => {
  it('writes info and above by default, debug when asked', () => {
    tmp = tempDir();
    const info = createLogger({ dir: path.join(tmp.dir, 'info') });
    const debug = createLogger({ dir: path.join(tmp.dir, 'debug'), level: 'debug' });
    for (const log of [info, debug]) {
      log.debug('detail');
      log.info('note');
      log.error('failure');
    }
    expect(fileLines(path.join(tmp.dir, 'info')).map((l) => l.level)).toEqual(['info', 'error']);
    expect(fileLines(path.join(tmp.dir, 'debug')).map((l) => l.level)).toEqual(['debug', 'info', 'error']);
  });

  it('takes AGENT_INBOX_LOG_LEVEL when it names a level', () => {
    expect(levelFromEnv('debug')).toBe('debug');
    expect(levelFromEnv('error')).toBe('error');
    expect(levelFromEnv(undefined)).toBe('info');
    expect(levelFromEnv('verbose')).toBe('info');
  });

  it('hands fastify a Logger that is not pino, with trace and fatal added', () => {
    const seen: string[] = [];
    const record =
      (level: string) =>
      (a: unknown, b?: string): void => {
        seen.push(`${level} ${typeof a === 'string' ? a : b}`);
      };
    const plain: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      child: () => plain,
    };
    const app = Fastify({ loggerInstance: fastifyLogger(plain) });
    app.log.fatal('down');
    app.log.trace('ignored');
    app.log.child({ reqId: 'r1' }).warn('slow');
    expect(seen).toEqual(['error down', 'warn slow']);
  });
});

describe('the log file', () => {
  it('is private to the user', () => {
    tmp = tempDir();
    createLogger({ dir: tmp.dir }).info('hello');
    expect(fs.statSync(path.join(tmp.dir, LOG_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('rolls over before passing its size limit, keeping three files of the latest lines', () => {
    tmp = tempDir();
    const file = new RotatingFile(path.join(tmp.dir, LOG_FILE_NAME), 1000, 3);
    const line = (n: number) => `line ${String(n).padStart(4, '0')} ${'x'.repeat(88)}\n`; // 100 bytes
    for (let n = 0; n < 45; n++) file.write(line(n));
    file.close();
    const names = fs.readdirSync(tmp.dir).sort();
    expect(names).toEqual([LOG_FILE_NAME, `${LOG_FILE_NAME}.1`, `${LOG_FILE_NAME}.2`]);
    const read = (name: string) => fs.readFileSync(path.join(tmp.dir, name), 'utf8');
    for (const name of names) expect(Buffer.byteLength(read(name))).toBeLessThanOrEqual(1000);
    // Oldest first, the kept lines are the last 25 written, none lost in between.
    const kept = [`${LOG_FILE_NAME}.2`, `${LOG_FILE_NAME}.1`, LOG_FILE_NAME].map(read).join('');
    expect(kept).toBe(Array.from({ length: 25 }, (_, i) => line(20 + i)).join(''));
  });

  it('rolls over at the size limit when written through the logger, and carries on after a restart', () => {
    tmp = tempDir();
    const first = createLogger({ dir: tmp.dir, maxBytes: 2000 });
    for (let n = 0; n < 15; n++) first.info({ n }, 'a message of some length to fill the file');
    const second = createLogger({ dir: tmp.dir, maxBytes: 2000 });
    for (let n = 15; n < 30; n++) second.info({ n }, 'a message of some length to fill the file');
    const files = [`${LOG_FILE_NAME}.2`, `${LOG_FILE_NAME}.1`, LOG_FILE_NAME];
    for (const name of files) expect(fs.statSync(path.join(tmp.dir, name)).size).toBeLessThanOrEqual(2000);
    const ns = files.flatMap((name) => fileLines(tmp.dir, name).map((l) => l.n));
    expect(ns.at(-1)).toBe(29);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => 30 - ns.length + i));
  });
});
