// Does the outbox keep up with each provider's documented rate limit? The five simulators enforce their
// documented limits; a core with one channel per provider gets 300 replies queued on each (more than a
// 100-a-minute limit lets through in two minutes), and the simulators count what each documented rule let
// through per minute once the first minute's burst is spent. A channel keeps up when its queue drained, or
// when a per-minute rule was used to its whole allowance (sync's own requests share it, as in the app).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/core';
import { startSimulators } from '../../main/providers/simulators';
import { type ProviderId, PROVIDERS } from '../../main/domain/entities';
import { addAllChannels, api } from '../helpers/api';
import { sleep } from './stats';

export interface DispatchResult {
  documented: string[];
  replies_queued: number;
  replies_sent: number;
  replies_failed: number;
  /** After the first minute: replies sent, and requests each documented rule let through, per minute. */
  sustained_replies_per_min: number;
  sustained_per_rule: { rule: string; per_min: number; share_of_limit: number }[];
  refused_429: number;
  keeps_up: boolean;
}

const MINUTE = 60_000;

const REPLIES = 300;

export async function dispatchBench(seconds: number): Promise<Record<ProviderId, DispatchResult>> {
  const sims = await startSimulators({ seed: 21 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-dispatch-'));
  const core = await createCore({ dataDir, log: () => undefined });
  try {
    const ids = await addAllChannels(core, sims.providers());
    for (const p of PROVIDERS) while (!core.store.syncState.get(ids[p], 'backfill').done) await sleep(100);

    const queued = {} as Record<ProviderId, number>;
    for (const p of PROVIDERS) {
      const convs = await api<{ items: { id: string }[] }>(
        core,
        'GET',
        `/api/v1/conversations?channel=${ids[p]}&limit=50`,
      );
      const targets = convs.body.items.map((c) => c.id);
      queued[p] = REPLIES;
      for (let i = 0; i < queued[p]; i++) {
        const r = await api(core, 'POST', `/api/v1/conversations/${targets[i % targets.length]}/messages`, {
          text: `Dispatch benchmark reply ${i}`,
        });
        if (r.status !== 202) throw new Error(`${p}: POST reply answered ${r.status}`);
      }
    }

    const remaining = (p: ProviderId) => core.store.outbox.queuedByChannel().get(ids[p]) ?? 0;
    const accepted = (p: ProviderId) =>
      sims.kits[p].sim.rateRules.map((_, i) => sims.kits[p].acceptedPerRule[i] ?? 0);
    const refused0 = Object.fromEntries(PROVIDERS.map((p) => [p, sims.kits[p].refused429]));
    await sleep(MINUTE);
    const at60 = Object.fromEntries(PROVIDERS.map((p) => [p, { left: remaining(p), rules: accepted(p) }]));
    const t60 = performance.now();
    await sleep(Math.max(0, seconds * 1000 - MINUTE));
    const minutes = (performance.now() - t60) / MINUTE;

    const out = {} as Record<ProviderId, DispatchResult>;
    for (const p of PROVIDERS) {
      const rules = sims.kits[p].sim.rateRules;
      const failed = core.store.outbox.list('failed').filter((r) => r.channel_id === ids[p]).length;
      const left = remaining(p);
      const perRule = accepted(p).map((n, i) => {
        const perMin = (n - at60[p].rules[i]) / minutes;
        const limitPerMin = (rules[i].limit * MINUTE) / rules[i].windowMs;
        return {
          rule: `${rules[i].limit} per ${rules[i].windowMs / 1000} s${rules[i].applies ? ' (some endpoints)' : ''}`,
          per_min: Math.round(perMin * 10) / 10,
          share_of_limit: Math.round((perMin / limitPerMin) * 100) / 100,
        };
      });
      // Hourly and daily windows allow a burst far above their average: only per-minute rules can show that
      // the dispatcher used everything it was allowed.
      const saturated = perRule.some((r, i) => rules[i].windowMs <= MINUTE && r.share_of_limit >= 0.95);
      out[p] = {
        documented: perRule.map((r) => r.rule),
        replies_queued: queued[p],
        replies_sent: queued[p] - left - failed,
        replies_failed: failed,
        sustained_replies_per_min: Math.round(((at60[p].left - left) / minutes) * 10) / 10,
        sustained_per_rule: perRule,
        refused_429: sims.kits[p].refused429 - refused0[p],
        keeps_up: left === 0 || saturated,
      };
    }
    return out;
  } finally {
    await core.close();
    await sims.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
