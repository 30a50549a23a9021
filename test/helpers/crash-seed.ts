// Random crash schedules that can be replayed: each run prints its seed, and CRASH_SEED=<seed> replays it.
import crypto from 'node:crypto';
import { onTestFailed } from 'vitest';
import { rng } from '../../main/providers/simkit/world';

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
  return rng(seed);
}
