// The sync targets of the connectors issue, measured end to end (core + simulators on loopback):
//  1. inbound latency: a customer's message → stored in the local cache (≤ 1 s with realtime, ≤ 5 s without;
//     a new conversation on a provider whose realtime link cannot announce one counts as without);
//  2. initial sync of a big account runs at the provider's documented rate limit, and an interrupted
//     sync resumes without downloading again what it has.
// `npm run bench:sync [-- --seconds 300 --provider instantchat]`; writes sync-results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../../main/core';
import { startSimulators } from '../../main/providers/simulators';
import { simulatorFactories } from '../../main/providers/simulators';
import { SimKit } from '../../main/providers/simkit';
import { type Capabilities, type Message, type ProviderId, PROVIDERS } from '../../main/domain/entities';
import { addAllChannels } from '../helpers/api';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    provider: { type: 'string', default: 'instantchat' },
    samples: { type: 'string', default: '8' },
  },
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-sync-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function arrival(core: Core, text: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const on = (m: Message) => {
      if (m.text !== text) return;
      core.events.off('message.created', on);
      resolve(performance.now() - t0);
    };
    core.events.on('message.created', on);
  });
}

async function measureLatency(samples: number) {
  const sims = await startSimulators({ seed: 11 });
  const dataDir = tmp();
  const core = await createCore({ dataDir, log: () => undefined });
  const ids = await addAllChannels(core, sims.providers());
  for (const p of PROVIDERS) while (!core.store.syncState.get(ids[p], 'backfill').done) await sleep(100);
  await sleep(2000); // let realtime links settle
  const out: Record<
    string,
    {
      realtime: string;
      existing_p50_ms: number;
      existing_max_ms: number;
      new_p50_ms: number;
      new_max_ms: number;
      target_ms: number;
      new_target_ms: number;
    }
  > = {};
  const channels = (await (
    await fetch(`${core.url}/api/v1/channels`, { headers: { authorization: `Bearer ${core.token}` } })
  ).json()) as {
    items: { id: string; status: string; capabilities: Capabilities }[];
  };
  for (const p of PROVIDERS) {
    const times = { existing: [] as number[], new: [] as number[] };
    for (let i = 0; i < samples * 2; i++) {
      const text = `latency probe ${p} ${i} ${Date.now()}`;
      // Even probes come from a new customer (a new conversation); odd ones from that same customer again.
      const contact = { handle: `probe-${p}-${Math.floor(i / 2)}`, name: `Probe ${Math.floor(i / 2)}` };
      const arrived = arrival(core, text);
      sims.kits[p].sim.inbound({ text, contact });
      times[i % 2 ? 'existing' : 'new'].push(await Promise.race([arrived, sleep(20_000).then(() => 20_000)]));
      await sleep(300 + Math.random() * 1200);
    }
    const ch = channels.items.find((c) => c.id === ids[p])!;
    out[p] = {
      realtime: `${ch.capabilities.realtime} (${core.store.channels.get(ids[p])!.status})`,
      existing_p50_ms: Math.round(pct(times.existing, 50)),
      existing_max_ms: Math.round(Math.max(...times.existing)),
      new_p50_ms: Math.round(pct(times.new, 50)),
      new_max_ms: Math.round(Math.max(...times.new)),
      target_ms: ch.capabilities.realtime === 'none' ? 5000 : 1000,
      new_target_ms:
        ch.capabilities.realtime === 'none' || ch.capabilities.unavailable.newConversationsLive ? 5000 : 1000,
    };
  }
  await core.close();
  await sims.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return out;
}

async function measureInitialSync(provider: ProviderId, seconds: number) {
  const kit = new SimKit(
    simulatorFactories[provider]({ seed: 12, conversations: 1000, messagesPerConversation: 100 }),
  );
  await kit.listen();
  const dataDir = tmp();
  const run = async (ms: number) => {
    const core = await createCore({ dataDir, log: () => undefined });
    if (!core.store.channels.all().length)
      await addAllChannels(core, [{ provider, baseUrl: kit.baseUrl, credentials: kit.sim.credentials() }]);
    const [before, served, refused] = [core.store.counts().messages, kit.served, kit.refused429];
    // Per documented rule (API, auth, webhooks), what the simulator let through.
    const accepted = () => kit.sim.rateRules.map((_, i) => kit.acceptedPerRule[i] ?? 0);
    const t0 = performance.now();
    // The limiter may use a whole minute's budget at once; the sustained rate is what comes after it.
    await sleep(Math.min(ms, 60_000));
    const [servedAt60, acceptedAt60, t60] = [kit.served, accepted(), performance.now()];
    await sleep(Math.max(0, ms - 60_000));
    const sustainedMinutes = (performance.now() - t60) / 60_000;
    const perRule = accepted().map((n, i) => ({
      rule: `${kit.sim.rateRules[i].limit} per ${kit.sim.rateRules[i].windowMs / 1000} s`,
      sustained_per_min:
        sustainedMinutes > 0.25 ? Math.round((n - acceptedAt60[i]) / sustainedMinutes) : null,
    }));
    const stored = core.store.counts().messages - before;
    await core.close(); // an interruption: whatever was in flight is abandoned
    const requests = kit.served - served;
    return {
      seconds: Math.round((performance.now() - t0) / 1000),
      stored,
      requests,
      sustained_requests_per_min:
        sustainedMinutes > 0.25 ? Math.round((kit.served - servedAt60) / sustainedMinutes) : null,
      sustained_per_rule: perRule,
      refused_429: kit.refused429 - refused,
      msgs_per_request: +(stored / Math.max(1, requests)).toFixed(1),
    };
  };
  const first = await run(seconds * 600);
  const resumed = await run(seconds * 400);
  await kit.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const documented = kit.sim.rateRules
    .map((r) => `${r.limit} per ${r.windowMs / 1000} s${r.applies ? ' (some endpoints)' : ''}`)
    .join(', ');
  return { documented_limits: documented, first, resumed };
}

const latency = await measureLatency(Number(values.samples));
console.table(latency);
const initial = await measureInitialSync(values.provider as ProviderId, Number(values.seconds));
console.table(initial);
fs.writeFileSync(
  'sync-results.json',
  JSON.stringify({ latency, initial_sync: { provider: values.provider, ...initial } }, null, 2),
);
process.exit(0);
