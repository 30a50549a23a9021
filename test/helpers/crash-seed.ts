// Random crash schedules that can be replayed: each run prints its seed, and CRASH_SEED=<seed> replays it.
import crypto from 'node:crypto';
import { onTestFailed } from 'vitest';

/** mulberry32: a tiny, fast 32-bit PRNG; the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CRASH_SEED when set (an integer), else a fresh random seed. */
export function crashSeed(env: string | undefined = process.env.CRASH_SEED): number {
  if (env === undefined || env === '') return crypto.randomInt(2 ** 31);
  const seed = Number(env);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`CRASH_SEED must be an integer ≥ 0, got '${env}'`);
  return seed;
}

/**
 * The random source of one test's crash schedule. Call inside the test: the seed is printed at the
 * start and again if the test fails, with the command line that replays it.
 */
export function crashSchedule(label: string): () => number {
  const seed = crashSeed();
  const replay = `CRASH_SEED=${seed} (replays this schedule of ${label})`;
  console.log(`crash schedule seed: ${replay}`);
  onTestFailed(() => console.error(`crash schedule failed; replay with ${replay}`));
  return seededRandom(seed);
}
