// A suite that cannot run here says so. Its reason goes to test-results/skips.jsonl, which the CI summary
// (scripts/test-summary.mjs) prints before its closing line; under CI a suite that must run fails instead.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

export const SKIPS_FILE = path.resolve('test-results', 'skips.jsonl');

/** CI=1 or CI=true (anything but empty, 0 or false). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && !['0', 'false'].includes(value.toLowerCase());
}

/**
 * Whether the suite `name` must be skipped: not when `reason` is null. Otherwise the reason is printed and
 * recorded; when `requiredInCi` and the run is under CI, a test of that name fails with the reason as well.
 */
export function skipSuite(name: string, reason: string | null, o: { requiredInCi: boolean }): boolean {
  if (reason === null) return false;
  const mustRun = o.requiredInCi && underCi();
  console.warn(`SKIPPED ${name}: ${reason}${mustRun ? ' (a failure under CI)' : ''}`);
  fs.mkdirSync(path.dirname(SKIPS_FILE), { recursive: true });
  fs.appendFileSync(SKIPS_FILE, `${JSON.stringify({ suite: name, reason })}\n`);
  if (mustRun) {
    describe(name, () => {
      it('runs under CI', () => {
        throw new Error(`${name} must run under CI, but was skipped: ${reason}`);
      });
    });
  }
  return true;
}
