// The sync benchmarks in a process of their own, so that the app's sync runs with nothing of the benchmark's
// earlier phases in its heap, against the simulators in another process:
// node --import tsx test/bench/sync-child.ts '{"seed":1,"world":{...},"work":"/tmp/x","timeoutMs":180000,"liveRuns":25,"ingestRuns":3}'
import path from 'node:path';
import { startChild } from './child';
import { ingestBench, liveAggregationBench, type SimProvider } from './sync-bench';

interface Config {
  seed: number;
  world: { conversations: number; messagesPerConversation: number };
  work: string;
  timeoutMs: number;
  liveRuns: number;
  ingestRuns: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const sims = await startChild<{ providers: SimProvider[]; totalMs: number }>('sim-child.ts', {
  seed: cfg.seed,
  ...cfg.world,
});
const simCpuMs = async () => {
  const { usage } = await sims.ask<{ usage: NodeJS.CpuUsage }>('cpu');
  return (usage.user + usage.system) / 1000;
};

async function run() {
  try {
    const live = await liveAggregationBench(sims.ready.providers, cfg.liveRuns);
    const ingest = await ingestBench(
      sims.ready.providers,
      { e2e: path.join(cfg.work, 'e2e.db'), replay: path.join(cfg.work, 'replay.db') },
      cfg.timeoutMs,
      cfg.ingestRuns,
      simCpuMs,
    );
    process.send?.({ type: 'run', live, ingest, seedMs: sims.ready.totalMs });
  } catch (e) {
    process.send?.({ type: 'run', error: (e as Error).message.split('\n')[0] });
  }
}

const stop = async () => {
  await sims.stop();
  process.exit(0);
};
process.on('message', (m: { type: string }) => {
  if (m.type === 'run') void run();
  if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send?.({ type: 'ready' });
