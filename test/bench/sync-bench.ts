// Sync and live aggregation against the five simulators (in another process) through the real connectors.
//  - ingest end to end: the real ChannelSync of each channel backfilling into a fresh store, all five at once,
//    connectors without client-side rate limits (ConnectorContext.unlimited); three runs, the median reported;
//  - cache write: the same batches replayed into another fresh store through the sync writer, one after the
//    other (batch + cursor in one transaction each), i.e. what the cache alone can take;
//  - live aggregation: the first inbox page built by asking the five providers directly (what the app would
//    do without a cache), for the ratio against the cached first page.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../main/db';
import { sqliteSyncStorage } from '../../main/db/syncStorage';
import type { Credentials, ProviderId } from '../../main/domain/entities';
import type { RemoteConversation, SyncBatch } from '../../main/domain/remote';
import type { ProviderConnector } from '../../main/providers/types';
import { connectorFactories } from '../../main/providers/registry';
import { ChannelSync } from '../../main/sync/channelSync';
import { CoreEvents } from '../../main/events';
import { PAGE } from './queries';
import { sleep, summarize } from './stats';

export interface SimProvider {
  provider: ProviderId;
  baseUrl: string;
  credentials: Credentials;
}

function connectorFor(p: SimProvider, id: string): ProviderConnector {
  return connectorFactories[p.provider]({
    baseUrl: p.baseUrl,
    credentials: p.credentials,
    unlimited: true,
    webhookUrl: `http://127.0.0.1:9/api/v1/webhooks/${id}`,
    webhookSecret: crypto.randomBytes(16).toString('hex'),
  });
}

function addChannel(store: Store, p: SimProvider): string {
  const id = crypto.randomUUID();
  store.channels.insert({
    id,
    provider: p.provider,
    name: `${p.provider} (bench)`,
    baseUrl: p.baseUrl,
    credentials: Buffer.from('unused'),
    webhookSecret: Buffer.from('unused'),
  });
  return id;
}

/** One end-to-end run: its rate, where the time went, and what each provider brought. */
export interface E2eRun {
  e2e_msgs_per_s: number;
  e2e_messages: number;
  e2e_ms: number;
  per_provider: Record<
    string,
    { messages: number; ms: number; batches: number; polls?: { calls: number; ms: number; messages: number } }
  >;
  timed_out: string[];
  /**
   * CPU use during the end-to-end run (100 = one core busy all the time), per message stored, and the rate this
   * machine's cores could reach at that cost with every core busy (app and simulators share them).
   */
  e2e_cpu: {
    app_cpu_pct: number;
    simulators_cpu_pct: number | null;
    app_us_per_msg: number;
    simulators_us_per_msg: number | null;
    all_cores_msgs_per_s: number | null;
  };
}

/** The median end-to-end run, every run's rate, and the cache-write replay. */
export interface IngestResults extends E2eRun {
  e2e_runs_msgs_per_s: number[];
  cache_write_msgs_per_s: number;
  cache_write_messages: number;
  cache_write_ms: number;
}

type Captured = { provider: ProviderId; channelId: string; batch: SyncBatch }[];

/** One end-to-end ingest: five ChannelSyncs backfilling into a fresh store at `file`, until all are done. */
async function e2eRun(
  providers: SimProvider[],
  file: string,
  timeoutMs: number,
  simCpuMs?: () => Promise<number>,
): Promise<{ run: E2eRun; captured: Captured; channels: Map<string, SimProvider> }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const store = openStore(file);
  const events = new CoreEvents();
  events.setMaxListeners(100);
  const captured: Captured = [];
  const syncs: { p: SimProvider; id: string; sync: ChannelSync; doneAt: number | null }[] = [];
  const pollStats = new Map<string, { calls: number; ms: number; messages: number }>();
  const simCpu0 = (await simCpuMs?.()) ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of providers) {
    const id = addChannel(store, p);
    const connector = connectorFor(p, id);
    const backfill = connector.backfill.bind(connector);
    // Keep every backfill batch for the cache-write replay.
    connector.backfill = async (cursor) => {
      const batch = await backfill(cursor);
      captured.push({ provider: p.provider, channelId: id, batch });
      return batch;
    };
    const poll = connector.poll.bind(connector);
    const polls = { calls: 0, ms: 0, messages: 0 };
    pollStats.set(id, polls);
    connector.poll = async (cursor) => {
      const t = performance.now();
      const batch = await poll(cursor);
      polls.calls++;
      polls.ms += performance.now() - t;
      polls.messages += batch.messages.length;
      return batch;
    };
    const sync = new ChannelSync({
      storage: sqliteSyncStorage(store),
      events,
      channelId: id,
      connector,
      log: () => undefined,
    });
    syncs.push({ p, id, sync, doneAt: null });
    sync.start();
  }
  const deadline = t0 + timeoutMs;
  while (syncs.some((s) => s.doneAt === null) && performance.now() < deadline) {
    await sleep(20);
    for (const s of syncs)
      if (s.doneAt === null && store.syncState.get(s.id, 'backfill').done) s.doneAt = performance.now();
  }
  const e2eMs = Math.max(...syncs.map((s) => s.doneAt ?? performance.now())) - t0;
  // Who was busy: the app's process (connectors + sync + SQLite) and the simulators' process, in CPU-ms per second.
  const appCpu = process.cpuUsage(cpu0);
  const simCpu = simCpuMs ? (await simCpuMs()) - simCpu0 : null;
  const messages = store.counts().messages;
  const appCpuMs = (appCpu.user + appCpu.system) / 1000;
  const perMsgUs = (ms: number) => Math.round((ms * 1000 * 10) / Math.max(messages, 1)) / 10;
  const appUs = perMsgUs(appCpuMs);
  const simUs = simCpu === null ? null : perMsgUs(simCpu);
  const perProvider: IngestResults['per_provider'] = {};
  for (const s of syncs) {
    const batches = captured.filter((c) => c.channelId === s.id);
    perProvider[s.p.provider] = {
      messages: batches.reduce((a, c) => a + c.batch.messages.length, 0),
      ms: Math.round((s.doneAt ?? performance.now()) - t0),
      batches: batches.length,
      polls: pollStats.get(s.id),
    };
  }
  await Promise.all(syncs.map((s) => s.sync.stop()));
  store.close();
  return {
    run: {
      e2e_msgs_per_s: Math.round((messages / e2eMs) * 1000),
      e2e_messages: messages,
      e2e_ms: Math.round(e2eMs),
      per_provider: perProvider,
      timed_out: syncs.filter((s) => s.doneAt === null).map((s) => s.p.provider),
      e2e_cpu: {
        app_cpu_pct: Math.round((appCpuMs / e2eMs) * 100),
        simulators_cpu_pct: simCpu === null ? null : Math.round((simCpu / e2eMs) * 100),
        app_us_per_msg: appUs,
        simulators_us_per_msg: simUs,
        all_cores_msgs_per_s: simUs === null ? null : Math.round((os.cpus().length * 1e6) / (appUs + simUs)),
      },
    },
    captured,
    channels: new Map(syncs.map((s) => [s.id, s.p])),
  };
}

/**
 * `runs` end-to-end ingests (each into a fresh store), reported by the median one: this VM's speed wanders
 * by a third from one run to the next. Then the last run's batches replayed: the write side alone.
 */
export async function ingestBench(
  providers: SimProvider[],
  files: { e2e: string; replay: string },
  timeoutMs: number,
  runs: number,
  simCpuMs?: () => Promise<number>,
): Promise<IngestResults> {
  const done: E2eRun[] = [];
  let last: Awaited<ReturnType<typeof e2eRun>> | null = null;
  for (let i = 1; i <= runs; i++) {
    last = await e2eRun(providers, files.e2e.replace(/\.db$/, `-${i}.db`), timeoutMs, simCpuMs);
    done.push(last.run);
  }
  const median = [...done].sort((a, b) => a.e2e_msgs_per_s - b.e2e_msgs_per_s)[Math.floor(done.length / 2)];
  const { captured, channels } = last!;
  if (process.env.BENCH_DUMP_BATCHES)
    fs.writeFileSync(process.env.BENCH_DUMP_BATCHES, JSON.stringify(captured));
  // The same batches, in the order they arrived, into a fresh cache.
  fs.mkdirSync(path.dirname(files.replay), { recursive: true });
  const replay = openStore(files.replay);
  const ids = new Map<string, string>();
  for (const [id, p] of channels) ids.set(id, addChannel(replay, p));
  let written = 0;
  const r0 = performance.now();
  for (const c of captured) {
    // One batch at a time, through the sync writer, as ChannelSync stores them (the app's thread fetches the
    // next one meanwhile; here there is nothing to fetch).
    await replay.syncWriter.write({
      channelId: ids.get(c.channelId)!,
      conversations: c.batch.conversations,
      messages: c.batch.messages,
      live: false,
      cursors: [{ stream: 'backfill', at: { cursor: c.batch.cursor, done: c.batch.done } }],
    });
    written += c.batch.messages.length;
  }
  const replayMs = performance.now() - r0;
  replay.close();
  return {
    ...median,
    e2e_runs_msgs_per_s: done.map((r) => r.e2e_msgs_per_s),
    cache_write_msgs_per_s: Math.round((written / replayMs) * 1000),
    cache_write_messages: written,
    cache_write_ms: Math.round(replayMs),
  };
}

/** One "first page" straight from the providers: each connector's first step in parallel, merged newest first. */
async function liveFirstPage(
  connectors: { p: SimProvider; c: ProviderConnector }[],
): Promise<RemoteConversation[]> {
  const batches = await Promise.all(
    // ChatPion's backfill starts with subscribers (no activity yet); its first poll reads the newest messages
    // and their subscribers, which is what a first page needs. The others' first backfill step lists the
    // newest conversations.
    connectors.map(({ p, c }) => (p.provider === 'chatpion' ? c.poll(null) : c.backfill(null))),
  );
  return batches
    .flatMap((b) => b.conversations)
    .sort((a, b) => (a.lastActivityAt < b.lastActivityAt ? 1 : a.lastActivityAt > b.lastActivityAt ? -1 : 0))
    .slice(0, PAGE);
}

export type LiveResults = ReturnType<typeof summarize> & {
  items: number;
  per_provider_p50: Record<string, number>;
};

export async function liveAggregationBench(providers: SimProvider[], runs: number): Promise<LiveResults> {
  const connectors = providers.map((p) => ({ p, c: connectorFor(p, crypto.randomUUID()) }));
  try {
    await Promise.all(connectors.map(({ c }) => c.authenticate()));
    let items = 0;
    const samples: number[] = [];
    const per: Record<string, number[]> = {};
    for (let i = 0; i < runs + 2; i++) {
      const t = performance.now();
      const page = await liveFirstPage(connectors);
      if (i >= 2) samples.push(performance.now() - t);
      items = page.length;
    }
    // Each provider alone, to see which one sets the pace.
    for (const { p, c } of connectors) {
      per[p.provider] = [];
      for (let i = 0; i < Math.min(5, runs); i++) {
        const t = performance.now();
        await (p.provider === 'chatpion' ? c.poll(null) : c.backfill(null));
        per[p.provider].push(performance.now() - t);
      }
    }
    return {
      ...summarize(samples),
      items,
      per_provider_p50: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, summarize(v).p50])),
    };
  } finally {
    await Promise.all(connectors.map(({ c }) => c.close().catch(() => undefined)));
  }
}
