// How long a reply waits while a backfill spends the provider's rate window. An InstantChat account with 112
// threads needs more requests than its documented 100 a minute; the simulator enforces that limit. Once the
// backfill has spent sync's share of the minute (80 requests), replies are queued one after another and timed
// from the POST until the simulator has them. Before agent actions went first, a reply here waited about 60 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../../main/core';
import { SimKit } from '../../main/providers/simkit';
import { createSimulator } from '../../main/providers/instantchat/simulator';
import { addAllChannels, api, waitFor } from '../helpers/api';
import { percentile } from './stats';

export interface ReplyDuringBackfillResult {
  threads: number;
  /** Requests the simulator had let through in the minute when the first reply was queued. */
  requests_before_first_reply: number;
  /** POST → the simulator has the reply, ms. */
  latency_ms: { p50: number; max: number; runs: number[] };
  backfill_done_meanwhile: boolean;
  refused_429: number;
}

const THREADS = 112;
const REPLIES = 5;
const SYNC_SHARE = 80;
const API_RULE = 2; // InstantChat's 100 a minute, among the simulator's rate rules

export async function replyDuringBackfillBench(): Promise<ReplyDuringBackfillResult> {
  const kit = new SimKit(createSimulator({ seed: 91, conversations: THREADS }));
  await kit.listen();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-inbox-priority-'));
  const core = await createCore({ dataDir, log: () => undefined });
  try {
    const channelId = (
      await addAllChannels(core, [
        { provider: 'instantchat', baseUrl: kit.baseUrl, credentials: kit.sim.credentials() },
      ])
    ).instantchat;
    const conversations = await waitFor('the backfill’s first conversations', async () => {
      const r = await api<{ items: { id: string }[] }>(
        core,
        'GET',
        `/api/v1/conversations?channel=${channelId}`,
      );
      return r.body.items.length >= REPLIES && r.body.items;
    });
    const accepted = () => kit.acceptedPerRule[API_RULE] ?? 0;
    await waitFor('sync’s share of the minute spent', () => accepted() >= SYNC_SHARE, 30_000, 10);
    const requestsBefore = accepted();
    const runs: number[] = [];
    for (let i = 0; i < REPLIES; i++) {
      const text = `Benchmark reply during the backfill ${i} ${Date.now()}`;
      const queuedAt = performance.now();
      const r = await api(core, 'POST', `/api/v1/conversations/${conversations[i].id}/messages`, { text });
      if (r.status !== 202) throw new Error(`POST reply answered ${r.status}`);
      await waitFor('the reply at InstantChat', () => kit.sent.some((s) => s.text === text), 120_000, 5);
      runs.push(Math.round(performance.now() - queuedAt));
    }
    return {
      threads: THREADS,
      requests_before_first_reply: requestsBefore,
      latency_ms: { p50: percentile(runs, 50), max: Math.max(...runs), runs },
      backfill_done_meanwhile: core.store.syncState.get(channelId, 'backfill').done,
      refused_429: kit.refused429,
    };
  } finally {
    await core.close();
    await kit.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
