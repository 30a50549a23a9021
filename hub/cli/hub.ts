// `npm run hub -- --data-dir DIR [--port N] [--host H] [--database-url URL] [--public-url URL]
// [--tls-cert F --tls-key F] [--key-file F] [--allowed-origin O]... [--trust-proxy ADDR]...`: one hub instance. Without --database-url it
// starts the embedded PostgreSQL under DIR/pg itself. Writes DIR/hub.json {url, pid, setupToken?} (0600; the
// setup token only when this instance created it) and logs JSON lines on stdout.
import net from 'node:net';
import path from 'node:path';
import { createLogger } from '../../main/log';
import { createHub, type Hub, type HubOptions } from '../hub';
import { listenable, startEmbeddedPostgres, type EmbeddedPg } from '../pg/embedded';
import {
  dataDirFlag,
  die,
  onShutdown,
  parseFlags,
  portFlag,
  readFlagFile,
  readJson,
  writePrivateJson,
} from './common';

const COMMAND = 'hub';
const USAGE =
  'npm run hub -- --data-dir DIR [--port N] [--host H] [--database-url URL] [--public-url URL] ' +
  '[--tls-cert FILE --tls-key FILE] [--key-file FILE] [--allowed-origin ORIGIN]... [--trust-proxy ADDR]...';

const flags = parseFlags(
  COMMAND,
  {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'database-url': { type: 'string' },
    'public-url': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'key-file': { type: 'string' },
    'allowed-origin': { type: 'string', multiple: true },
    'trust-proxy': { type: 'string', multiple: true },
  },
  USAGE,
);
const dataDir = dataDirFlag(COMMAND, flags['data-dir'], USAGE);
const host = flags.host ?? '127.0.0.1';
const infoFile = path.join(dataDir, 'hub.json');

function tlsFromFlags(): { cert: Buffer; key: Buffer } | undefined {
  const cert = flags['tls-cert'];
  const key = flags['tls-key'];
  if (!cert && !key) return undefined;
  if (!cert || !key) die(COMMAND, '--tls-cert and --tls-key go together', 2);
  return { cert: readFlagFile(COMMAND, 'tls-cert', cert), key: readFlagFile(COMMAND, 'tls-key', key) };
}

/** Each --trust-proxy is an IP address or a CIDR range (10.0.0.0/8); a host name or `true` is refused. */
function trustedProxiesFromFlags(): string[] {
  const values = flags['trust-proxy'] ?? [];
  for (const v of values) {
    const [address, bits, ...rest] = v.split('/');
    const family = net.isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || badBits || rest.length)
      die(COMMAND, `--trust-proxy ${JSON.stringify(v)} is not an IP address or CIDR range`, 2);
  }
  return values;
}

function urlFlag(flag: string, value: string | undefined, protocols: string[]): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return die(COMMAND, `--${flag} is not a URL`, 2);
  }
  if (!protocols.includes(url.protocol))
    die(COMMAND, `--${flag} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`, 2);
  return value;
}

/** --port, else the port of this data directory's last hub.json while it is free, else any free port. */
async function hubPort(): Promise<number> {
  const requested = portFlag(COMMAND, 'port', flags.port);
  if (requested !== undefined) return requested;
  const last = readJson(infoFile)?.url;
  const lastPort = typeof last === 'string' ? Number(URL.canParse(last) ? new URL(last).port : 0) : 0;
  return lastPort && (await listenable(lastPort, host)) ? lastPort : 0;
}

/** Read now, so a wrong path fails at start naming the flag (createHub reads it again and checks its length). */
function keyFileFromFlags(): string | undefined {
  const file = flags['key-file'];
  if (file === undefined) return undefined;
  readFlagFile(COMMAND, 'key-file', file);
  return path.resolve(file);
}

/** Refused, reset, or PostgreSQL's 57P03 (starting up, shutting down, in recovery): a restart in progress. */
function databaseUnreachable(e: unknown): boolean {
  const { code, message } = e as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P03'].includes(code ?? '') ||
    message === 'Connection terminated unexpectedly'
  );
}

const REACH_DATABASE_WITHIN_MS = 30_000;

/** A hub started while its PostgreSQL restarts waits for it, for up to 30 s, instead of exiting at once. */
async function whileDatabaseUnreachable<T>(start: () => Promise<T>): Promise<T> {
  const until = Date.now() + REACH_DATABASE_WITHIN_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (!databaseUnreachable(e) || Date.now() > until) throw e;
      if (attempt === 1) log.warn({ err: (e as Error).message }, 'the database is unreachable; trying again');
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

const tls = tlsFromFlags();
const keyFile = keyFileFromFlags();
const trustedProxies = trustedProxiesFromFlags();
// The database URL is never logged or printed: it holds the database's password.
const databaseUrl = urlFlag('database-url', flags['database-url'], ['postgres:', 'postgresql:']);
const publicUrl = urlFlag('public-url', flags['public-url'], ['https:', 'http:']);
const port = await hubPort();
const log = createLogger({ stdout: true });
log.info({ dataDir, embeddedPostgres: !databaseUrl }, 'starting the hub');

let pg: EmbeddedPg | null = null;
let hub: Hub | null = null;
onShutdown(async () => {
  await hub?.close();
  await pg?.stop();
}, log);

try {
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres({
      dir: path.join(dataDir, 'pg'),
      log: log.child({ component: 'postgres' }),
      onExit: () => die(COMMAND, 'the embedded PostgreSQL exited; start this command again'),
    });
  }
  const options: HubOptions = {
    databaseUrl: databaseUrl ?? pg!.databaseUrl,
    dataDir,
    host,
    port,
    publicUrl,
    tls,
    keyFile,
    allowedOrigins: flags['allowed-origin'] ?? [],
    trustedProxies,
    log,
  };
  hub = await whileDatabaseUnreachable(() => createHub(options));
} catch (e) {
  await pg?.stop().catch(() => undefined);
  die(COMMAND, (e as Error).message);
}

writePrivateJson(infoFile, {
  url: hub.url,
  pid: process.pid,
  ...(hub.setupToken ? { setupToken: hub.setupToken } : {}),
});
log.info({ url: hub.url, file: infoFile }, 'hub is ready');
// The setup token is a secret: it goes to the operator straight on stdout, once, and never through the logger.
console.log(
  hub.setupToken
    ? `Agent Inbox hub on ${hub.url}. Setup token (once, for POST /hub/v1/setup): ${hub.setupToken}`
    : `Agent Inbox hub on ${hub.url}`,
);
