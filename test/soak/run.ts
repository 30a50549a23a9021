// Soak: `npm run soak -- --minutes 30` runs the core against all five simulators (in their own process, so
// their growing worlds do not count) with customers writing at 20 messages/s, an agent replying, and faults
// switched on and off in turn (down, latency, errors, 429 storms). Every 10 s it samples the core's RSS, heap,
// open sockets and handles, event-loop delay and database size; it prints a table, writes soak-results.json,
// and fails when memory or sockets keep growing (the last third of the run against the first).
// Options: --minutes N (default 30), --rate N (messages/s, default 20), --sample-seconds N (default 10),
// --out FILE (default soak-results.json).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../../main/core';
import { addAllChannels, api } from '../helpers/api';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    'sample-seconds': { type: 'string', default: '10' },
    out: { type: 'string', default: 'soak-results.json' },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const SAMPLE_MS = Number(args['sample-seconds']) * 1000;
const FAULT_EVERY_MS = 30_000;
const FAULT_LASTS_MS = 20_000;
const REPLY_EVERY_MS = 2_000;
const MB = 1024 * 1024;

/** Growth that fails the run: the last third's average over the first third's, by this factor and amount. */
const LIMITS = {
  rssMb: { factor: 1.5, slack: 64 },
  heapMb: { factor: 1.5, slack: 32 },
  sockets: { factor: 2, slack: 10 },
  handles: { factor: 2, slack: 20 },
} as const;
type Metric = keyof typeof LIMITS;

interface Sample {
  minute: number;
  rssMb: number;
  heapMb: number;
  sockets: number;
  handles: number;
  loopP99Ms: number;
  dbMb: number;
  messages: number;
  queued: number;
  logLines: number;
  fault: string;
}

interface Faults {
  down?: boolean;
  latencyMs?: number;
  errorRate?: number;
  rateLimit?: boolean;
}
const FAULTS: [string, Faults][] = [
  ['down', { down: true }],
  ['latency 2 s', { latencyMs: 2000 }],
  ['30% errors', { errorRate: 0.3 }],
  ['429 storm', { rateLimit: true }],
];
const NO_FAULTS: Faults = { down: false, latencyMs: 0, errorRate: 0, rateLimit: false };

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The five simulators and their /_sim control API in a child process: `npm run sim`. */
async function startSimulators(): Promise<{ controlUrl: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'main/cli/sim.ts', '--port', '0', '--seed', '7'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const controlUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /control API at (http:\/\/[\d.:]+)\/_sim/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the simulators exited (${code}) before serving`)));
  });
  return { controlUrl, child };
}

async function sim<T>(controlUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${controlUrl}/_sim${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} /_sim${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every FAULT_EVERY_MS one provider gets the next fault for FAULT_LASTS_MS; answers what is on now. */
function startFaults(
  controlUrl: string,
  providers: string[],
): { current: () => string; stop: () => Promise<void> } {
  let n = 0;
  let current = 'none';
  let stopped = false;
  const apply = async (provider: string, faults: Faults) =>
    void (await sim(controlUrl, 'POST', `/${provider}/faults`, faults));
  const tick = async () => {
    const provider = providers[n % providers.length];
    const [name, faults] = FAULTS[n++ % FAULTS.length];
    current = `${provider}: ${name}`;
    await apply(provider, faults);
    await sleep(FAULT_LASTS_MS);
    if (stopped) return; // stop() has cleared every fault already
    await apply(provider, NO_FAULTS);
    current = 'none';
  };
  const timer = setInterval(
    () => void tick().catch((e: Error) => console.error(`fault switch failed: ${e.message}`)),
    FAULT_EVERY_MS,
  );
  return {
    current: () => current,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.all(providers.map((p) => apply(p, NO_FAULTS)));
    },
  };
}

/** The agent answers the most recently active conversation now and then. */
function startReplies(core: Core): () => void {
  let n = 0;
  const reply = async () => {
    const latest = await api<{ items: { id: string }[] }>(core, 'GET', '/api/v1/conversations?limit=1');
    const conv = latest.body.items[0];
    if (conv)
      await api(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, { text: `soak reply ${++n}` });
  };
  const timer = setInterval(
    () => void reply().catch((e: Error) => console.error(`reply failed: ${e.message}`)),
    REPLY_EVERY_MS,
  );
  return () => clearInterval(timer);
}

const fileMb = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size / MB : 0);

function sampler(core: Core, logLines: () => number, fault: () => string, started: number): () => Sample {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  const db = path.join(core.dataDir, 'inbox.db');
  return () => {
    gc?.();
    const mem = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const sample: Sample = {
      minute: round((Date.now() - started) / 60_000),
      rssMb: round(mem.rss / MB),
      heapMb: round(mem.heapUsed / MB),
      sockets: resources.filter((r) => r === 'TCPSocketWrap').length,
      handles: resources.length,
      loopP99Ms: round(loop.percentile(99) / 1e6),
      dbMb: round(fileMb(db) + fileMb(`${db}-wal`)),
      messages: core.store.counts().messages,
      queued: core.counts().queued,
      logLines: logLines(),
      fault: fault(),
    };
    loop.reset();
    return sample;
  };
}

const COLUMNS: (keyof Sample)[] = [
  'minute',
  'rssMb',
  'heapMb',
  'sockets',
  'handles',
  'loopP99Ms',
  'dbMb',
  'messages',
  'queued',
  'logLines',
  'fault',
];
const row = (cells: (string | number)[]) =>
  cells.map((c, i) => String(c).padStart(i === cells.length - 1 ? 0 : 10)).join(' ');

const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** First third against last third of the samples: what grew beyond its limit. */
function growth(samples: Sample[]): { metric: Metric; first: number; last: number; bounded: boolean }[] {
  const third = Math.max(1, Math.floor(samples.length / 3));
  return (Object.keys(LIMITS) as Metric[]).map((metric) => {
    const first = round(average(samples.slice(0, third).map((s) => s[metric])));
    const last = round(average(samples.slice(-third).map((s) => s[metric])));
    const { factor, slack } = LIMITS[metric];
    return { metric, first, last, bounded: last <= first * factor || last - first <= slack };
  });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-soak-'));
  const { controlUrl, child } = await startSimulators();
  let logLines = 0;
  const logFile = path.resolve('soak-core.log');
  fs.rmSync(logFile, { force: true });
  const core = await createCore({
    dataDir,
    log: (line) => (logLines++, fs.appendFileSync(logFile, `${line}\n`)),
  });
  const stopAll: (() => unknown)[] = [() => child.kill('SIGTERM')];
  process.once('SIGINT', () => void Promise.all(stopAll.map((f) => f())).then(() => process.exit(130)));
  try {
    const providers = (
      await sim<{ items: { provider: string; baseUrl: string; credentials: unknown }[] }>(
        controlUrl,
        'GET',
        '/providers',
      )
    ).items;
    await addAllChannels(core, providers);
    await sim(controlUrl, 'POST', '/traffic', { perSecond: RATE });
    const faults = startFaults(
      controlUrl,
      providers.map((p) => p.provider),
    );
    const stopReplies = startReplies(core);
    stopAll.push(stopReplies, faults.stop);
    console.log(
      `soak: ${MINUTES} min, ${RATE} messages/s, faults every ${FAULT_EVERY_MS / 1000} s; core log ${logFile}`,
    );
    console.log(row(COLUMNS));
    const started = Date.now();
    const sample = sampler(core, () => logLines, faults.current, started);
    const samples: Sample[] = [];
    while (Date.now() - started < MINUTES * 60_000) {
      await sleep(SAMPLE_MS);
      samples.push(sample());
      console.log(row(COLUMNS.map((c) => samples[samples.length - 1][c])));
    }
    stopReplies();
    await faults.stop();
    await sim(controlUrl, 'POST', '/traffic', { perSecond: 0 });
    const verdict = growth(samples);
    const failed = verdict.filter((v) => !v.bounded);
    const results = {
      minutes: MINUTES,
      ratePerSecond: RATE,
      limits: LIMITS,
      growth: verdict,
      ok: failed.length === 0,
      samples,
    };
    fs.writeFileSync(args.out!, JSON.stringify(results, null, 2));
    for (const v of verdict)
      console.log(
        `${v.metric.padEnd(8)} first third ${v.first}, last third ${v.last}: ${v.bounded ? 'bounded' : 'GROWING'}`,
      );
    console.log(`wrote ${args.out}`);
    if (failed.length) process.exitCode = 1;
  } finally {
    await core.close();
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
