// Offline replies: queued while the provider is down, delivered once when it returns, in order,
// and exactly once across SIGKILLs of the core at random moments of dispatch; in both simulator modes.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core';
import { startSimulators, type Simulators } from '../../main/providers/simulators';
import { tempDir } from '../helpers/tmp';
import { addAllChannels, api, conversationWith, messagesOf, waitFor, type ApiClient } from '../helpers/api';
import { crashSchedule } from '../helpers/crash-seed';
import { spawnCore } from '../helpers/spawn-core';
import { SIM_MODES } from '../helpers/sim-modes';
import { TEST_BACKOFF_SCALE } from '../helpers/backoff';

describe.each(SIM_MODES)('the outbox ($mode simulators)', ({ strict }) => {
  let sims: Simulators;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    tmp = tempDir();
    sims = await startSimulators({ seed: 5, strict });
  });
  afterAll(async () => {
    await sims?.close();
    tmp.cleanup();
  });

  const sentTexts = (p: 'chatapi' | 'chatpion', prefix: string) =>
    sims.kits[p].sent.filter((s) => s.text.startsWith(prefix)).map((s) => s.text);

  describe('offline replies in one process', () => {
    let core: Core;
    let ids: Record<string, string>;

    beforeAll(async () => {
      core = await createCore({
        dataDir: path.join(tmp.dir, 'a'),
        log: () => undefined,
        outboxInFlightGraceMs: 500,
        backoffScale: TEST_BACKOFF_SCALE,
      });
      ids = await addAllChannels(
        core,
        sims.providers().filter((p) => p.provider === 'chatapi' || p.provider === 'chatpion'),
      );
    }, 30_000);
    afterAll(() => core?.close());

    it.each(['chatapi', 'chatpion'] as const)(
      '%s: a reply written while the provider is down is kept, then delivered exactly once',
      async (p) => {
        const hello = `hi ${p} ${Date.now()}`;
        sims.kits[p].sim.inbound({ text: hello });
        const conv = await waitFor('conversation', () => conversationWith(core, hello, ids[p]), 20_000);
        sims.kits[p].setFaults({ down: true });
        const prefix = `offline-${p}-${Date.now()}`;
        const replies = [1, 2, 3].map((i) => `${prefix} #${i}`);
        for (const text of replies) {
          const r = await api<{ status: string }>(core, 'POST', `/api/v1/conversations/${conv.id}/messages`, {
            text,
          });
          expect(r.status).toBe(202);
          expect(r.body.status).toBe('queued');
        }
        await new Promise((r) => setTimeout(r, 1500));
        expect(sentTexts(p, prefix)).toEqual([]);
        const queued = await api<{ items: { text: string; status: string }[] }>(
          core,
          'GET',
          '/api/v1/outbox',
        );
        expect(queued.body.items.filter((i) => i.text.startsWith(prefix))).toHaveLength(3);
        sims.kits[p].setFaults({ down: false });
        await waitFor('delivery', () => sentTexts(p, prefix).length === 3, 60_000);
        await new Promise((r) => setTimeout(r, 1000));
        expect(sentTexts(p, prefix)).toEqual(replies);
        await waitFor(
          'shown as sent',
          async () =>
            (await messagesOf(core, conv.id)).filter(
              (m) => m.text.startsWith(prefix) && ['sent', 'delivered', 'read'].includes(m.status),
            ).length === 3,
          10_000,
        );
      },
      90_000,
    );

    it('refuses a reply with a clear error when the database cannot be written, and queues nothing', async () => {
      const hello = `lock ${Date.now()}`;
      sims.kits.chatapi.sim.inbound({ text: hello });
      const conv = await waitFor('conversation', () => conversationWith(core, hello, ids.chatapi), 20_000);
      const other = new Database(path.join(core.dataDir, 'inbox.db'));
      other.exec('BEGIN EXCLUSIVE');
      try {
        const r = await api<{ error: { code: string; message: string } }>(
          core,
          'POST',
          `/api/v1/conversations/${conv.id}/messages`,
          { text: 'must not be queued' },
        );
        expect(r.status).toBe(503);
        expect(r.body.error.message).toMatch(/nothing was saved|try again/);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      const outbox = await api<{ items: { text: string }[] }>(core, 'GET', '/api/v1/outbox');
      expect(outbox.body.items.some((i) => i.text === 'must not be queued')).toBe(false);
    }, 30_000);
  });

  describe('exactly once across crashes', () => {
    const dataDir = () => path.join(tmp.dir, 'crash');
    let child: ChildProcess | null = null;

    beforeAll(async () => {
      // Fresh simulators: rate-limit windows and sockets of the tests above must not count here.
      await sims.close();
      sims = await startSimulators({ seed: 6, strict });
    });

    async function startChild(): Promise<ApiClient> {
      const started = await spawnCore({ dataDir: dataDir(), outboxInFlightGraceMs: 800 });
      child = started.child;
      return started.client;
    }

    afterAll(() => {
      child?.kill('SIGKILL');
    });

    it('SIGKILL at random moments of dispatch, many times over: every reply arrives once, in order per conversation', async () => {
      fs.mkdirSync(dataDir(), { recursive: true });
      let c = await startChild();
      const chatapi = sims.providers().find((p) => p.provider === 'chatapi')!;
      const ids = await addAllChannels(c, [chatapi]);
      const convs: string[] = [];
      for (const n of [1, 2]) {
        const hello = `crash-hello-${n}-${Date.now()}`;
        sims.kits.chatapi.sim.inbound({ text: hello });
        convs.push((await waitFor('conversation', () => conversationWith(c, hello, ids.chatapi), 20_000)).id);
      }
      const prefix = `crash-${Date.now()}`;
      const written: Record<string, string[]> = Object.fromEntries(convs.map((id) => [id, []]));
      const rounds = 8;
      const random = crashSchedule('SIGKILL at random moments of dispatch');
      for (let round = 0; round < rounds; round++) {
        sims.kits.chatapi.setFaults({ latencyMs: Math.floor(random() * 300) });
        for (let i = 0; i < 3; i++) {
          for (const id of convs) {
            const text = `${prefix} conv ${id} r${round} #${i}`;
            const r = await api(c, 'POST', `/api/v1/conversations/${id}/messages`, { text });
            expect(r.status).toBe(202);
            written[id].push(text);
          }
        }
        await new Promise((r) => setTimeout(r, random() * 600));
        child!.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        c = await startChild();
      }
      sims.kits.chatapi.setFaults({ latencyMs: 0 });
      const total = Object.values(written).flat().length;
      await waitFor('all delivered', () => sentTexts('chatapi', prefix).length >= total, 90_000, 250);
      await new Promise((r) => setTimeout(r, 2000));
      const sent = sentTexts('chatapi', prefix);
      expect(sent.length).toBe(total);
      expect(new Set(sent).size).toBe(total);
      for (const id of convs) expect(sent.filter((t) => t.includes(`conv ${id} `))).toEqual(written[id]);
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      const db = new Database(path.join(dataDir(), 'inbox.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }, 240_000);
  });
});
