// Logging: one pino logger for the core, the local API (it is fastify's own logger) and the desktop shell.
// Credentials, tokens and auth headers in a logged object are redacted by path, however they are nested
// (up to four levels); a text message is written as given, so a secret never goes into one.
// Where support looks: <data directory>/logs/agent-inbox.log (and .1, .2), 5 MB each.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import pino, { type DestinationStream, type Level } from 'pino';

export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

/** The part of pino's logger the app uses; a pino logger is one. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** The core's older `log` option: one line of text per entry (tests collect them). */
export type LineSink = (line: string) => void;

export const LOG_FILE_NAME = 'agent-inbox.log';
export const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;
/** The file being written and the older ones kept: agent-inbox.log, .1, .2. */
export const LOG_FILES_KEPT = 3;
export const REDACTED = '[redacted]';

/** Field names whose value is never logged, as object keys or as HTTP header names. */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'X-API-Key',
  'credentials',
  'apiKey',
  'api_key',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'password',
  'secret',
  'clientSecret',
  'webhookSecret',
];
const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];
export const REDACT_PATHS = DEPTHS.flatMap((prefix) => SECRET_FIELDS.map((f) => `${prefix}["${f}"]`));

const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

/** AGENT_INBOX_LOG_LEVEL (debug, info, warn, error) when valid, else info. */
export function levelFromEnv(value = process.env.AGENT_INBOX_LOG_LEVEL): Level {
  return value && LEVELS.includes(value) ? (value as Level) : 'info';
}

function baseOptions(level: Level): pino.LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

export interface LoggerOptions {
  /** Default: AGENT_INBOX_LOG_LEVEL, else info. */
  level?: Level;
  /** Write a rotating agent-inbox.log in this directory. */
  dir?: string;
  /** Also write to standard output (web mode, development). */
  stdout?: boolean;
  maxBytes?: number;
}

/** JSON lines to a rotating file in `dir` and/or stdout. */
export function createLogger(o: LoggerOptions): pino.Logger {
  const level = o.level ?? levelFromEnv();
  const streams: pino.StreamEntry[] = [];
  if (o.stdout) streams.push({ level, stream: pino.destination({ fd: 1, sync: true }) });
  if (o.dir) streams.push({ level, stream: new RotatingFile(path.join(o.dir, LOG_FILE_NAME), o.maxBytes) });
  return pino(baseOptions(level), pino.multistream(streams));
}

/** A logger that hands each entry to `sink` as one line: the message, then the other fields as JSON. */
export function lineLogger(sink: LineSink, level: Level = 'info'): pino.Logger {
  const options = { ...baseOptions(level), timestamp: false, base: null };
  return pino(options, { write: (json: string) => sink(asLine(json)) });
}

function asLine(json: string): string {
  const { msg, level: _level, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const text = typeof msg === 'string' ? msg : '';
  return Object.keys(fields).length ? `${text} ${JSON.stringify(fields)}`.trim() : text;
}

/** The core's `log` option as a Logger: absent means JSON lines on stdout. */
export function toLogger(log: Logger | LineSink | undefined): Logger {
  if (log === undefined) return createLogger({ stdout: true });
  return typeof log === 'function' ? lineLogger(log) : log;
}

/** The Logger as fastify's own (`loggerInstance`): a pino logger as it is, any other with trace and fatal added. */
export function fastifyLogger(log: Logger): FastifyBaseLogger {
  const full = log as Partial<FastifyBaseLogger>;
  if (typeof full.trace === 'function' && typeof full.fatal === 'function' && typeof full.level === 'string')
    return full as FastifyBaseLogger;
  const adapted = {
    level: 'debug',
    trace: () => undefined,
    silent: () => undefined,
    debug: log.debug.bind(log),
    info: log.info.bind(log),
    warn: log.warn.bind(log),
    error: log.error.bind(log),
    fatal: log.error.bind(log),
    child: (bindings: Record<string, unknown>) => fastifyLogger(log.child(bindings)),
  };
  return adapted as unknown as FastifyBaseLogger;
}

/**
 * A log file that rolls over before it would pass `maxBytes`: agent-inbox.log becomes .1, .1 becomes .2,
 * and so on; `files` are kept in all. Written synchronously, so the last lines before a crash are there.
 * A write that fails (disk full) is dropped: logging never takes the app down.
 */
export class RotatingFile implements DestinationStream {
  private fd = -1;
  private size = 0;

  constructor(
    readonly file: string,
    readonly maxBytes = LOG_FILE_MAX_BYTES,
    readonly files = LOG_FILES_KEPT,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.open();
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.writeSync(this.fd, line);
      this.size += bytes;
    } catch {
      // Dropped; see the class comment.
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private rotate(): void {
    this.close();
    for (let n = this.files - 1; n >= 1; n--) {
      const from = n === 1 ? this.file : `${this.file}.${n - 1}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${n}`);
    }
    if (this.files <= 1) fs.rmSync(this.file, { force: true });
    this.open();
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }
}
