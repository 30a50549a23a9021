// The five provider simulators in their own process, seeded with a large world, for the sync and live
// benchmarks: node --import tsx test/bench/sim-child.ts '{"seed":1,"conversations":2000,"messagesPerConversation":30}'
// The simulators' own rate limits (the documented provider limits) are switched off: the benchmark measures how
// fast the app can take data in, not how long a provider makes it wait.
import { type ProviderId, PROVIDERS } from '../../main/domain/entities';
import { SimKit } from '../../main/providers/simkit';
import { simulatorFactories } from '../../main/providers/simulators';

interface Config {
  seed: number;
  conversations: number;
  messagesPerConversation: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const t0 = performance.now();
const kits = {} as Record<ProviderId, SimKit>;
const seedMs: Record<string, number> = {};
for (const p of PROVIDERS) {
  const t = performance.now();
  // Every simulator takes {seed, conversations, messagesPerConversation} (registry types only the seed).
  const factory = simulatorFactories[p] as unknown as (
    o: Record<string, unknown>,
  ) => ConstructorParameters<typeof SimKit>[0];
  kits[p] = new SimKit(
    factory({
      seed: cfg.seed,
      conversations: cfg.conversations,
      messagesPerConversation: cfg.messagesPerConversation,
    }),
  );
  // Benchmark only: no server-side rate limiting.
  (kits[p] as unknown as { overLimit: () => null }).overLimit = () => null;
  await kits[p].listen();
  seedMs[p] = Math.round(performance.now() - t);
}

process.send?.({
  type: 'ready',
  seedMs,
  totalMs: Math.round(performance.now() - t0),
  providers: PROVIDERS.map((p) => ({
    provider: p,
    baseUrl: kits[p].baseUrl,
    credentials: kits[p].sim.credentials(),
  })),
});

const stop = async () => {
  await Promise.all(Object.values(kits).map((k) => k.close().catch(() => undefined)));
  process.exit(0);
};
process.on('message', (m: { type: string }) => {
  if (m.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage() });
  if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
