// Small timing helpers shared by the benchmark parts.
import v8 from 'node:v8';
import vm from 'node:vm';
import { rng } from '../../main/providers/simkit/world';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A full collection in the benchmark driver before a timed section, so its own garbage is not timed. */
export const collectGarbage = () => gc();

export interface Percentiles {
  p50: number;
  p99: number;
  p95?: number;
  max?: number;
  n?: number;
}

/** Nearest-rank percentile of an unsorted sample. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

export function summarize(samples: number[]): Required<Percentiles> {
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: round(Math.max(...samples)),
    n: samples.length,
  };
}

/** Run `fn` `warmup` times unmeasured, then `runs` times measured (ms each). */
export function timeSync(runs: number, warmup: number, fn: (i: number) => unknown): number[] {
  for (let i = 0; i < warmup; i++) fn(i);
  collectGarbage();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export async function timeAsync(
  runs: number,
  warmup: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  collectGarbage();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

/** Deterministic sample of conversation ids 1..n (local ids are dense integers in a generated database). */
export function sampleIds(seed: number, n: number, count: number): number[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => 1 + Math.floor(r() * n));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
