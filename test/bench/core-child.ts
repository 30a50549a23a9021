// The core in its own process, as the Electron main process or web mode runs it, over a benchmark database:
//   node --import tsx test/bench/core-child.ts '{"dataDir": …, "rendererDir": …}'   (with an IPC channel)
// Measures its own startup (createCore → first GET /api/v1/conversations answered over HTTP) and reports
// process.memoryUsage() on request, so the numbers are the core's alone, not the benchmark driver's.
import http from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createCore } from '../../main/core';

interface Config {
  dataDir: string;
  rendererDir?: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const send = (m: unknown) => process.send?.(m);

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

const t0 = performance.now();
const core = await createCore({
  dataDir: cfg.dataDir,
  port: 0,
  rendererDir: cfg.rendererDir,
  log: () => undefined,
});
const created = performance.now();
const status = await get(`${core.url}/api/v1/conversations?limit=50`, core.token);
const served = performance.now();
send({
  type: 'ready',
  url: core.url,
  token: core.token,
  status,
  createCoreMs: created - t0,
  startupMs: served - t0,
  memory: process.memoryUsage(),
});

// How long the event loop was blocked, and by garbage collection, between two 'stats' requests.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let gc: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gc.push(e.duration);
}).observe({ entryTypes: ['gc'] });
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

process.on('message', (m: { type: string }) => {
  if (m.type === 'memory') send({ type: 'memory', memory: process.memoryUsage() });
  if (m.type === 'stats') {
    send({
      type: 'stats',
      loopDelay: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      gc: {
        count: gc.length,
        totalMs: Math.round(gc.reduce((a, b) => a + b, 0)),
        maxMs: Math.round(Math.max(0, ...gc) * 100) / 100,
      },
    });
    loop.reset();
    gc = [];
  }
  if (m.type === 'stop') void core.close().then(() => process.exit(0));
});
process.on('disconnect', () => void core.close().then(() => process.exit(0)));
