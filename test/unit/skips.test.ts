// Tests that say what ran: a required suite that skips fails under CI (test/helpers/skips.ts), and the
// CI summary (scripts/test-summary.mjs) names every skipped suite with its reason before its closing line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { underCi } from '../helpers/skips';
import { tempDir } from '../helpers/tmp';

const ROOT = path.resolve(__dirname, '..', '..');
const CLOSING_LINE = /^\d+ passed, \d+ failed, \d+ skipped$/;

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

/** Runs the fixture suite (test/fixtures/skips) with cwd in a temp directory, so its skips.jsonl lands there. */
function runFixture(ci: string) {
  tmp = tempDir();
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--root',
      ROOT,
      '--config',
      path.join(ROOT, 'test', 'fixtures', 'skips', 'vitest.config.ts'),
    ],
    { cwd: tmp.dir, env: { ...process.env, CI: ci, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 },
  );
  const skips = fs.readFileSync(path.join(tmp.dir, 'test-results', 'skips.jsonl'), 'utf8');
  return { status: r.status, output: r.stdout + r.stderr, skips };
}

/** Runs the summary in tmp.dir over these files of its test-results/. */
function summary(files: Record<string, unknown>, expected: string[]) {
  fs.mkdirSync(path.join(tmp.dir, 'test-results'));
  for (const [name, content] of Object.entries(files)) {
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    fs.writeFileSync(path.join(tmp.dir, 'test-results', name), text);
  }
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'test-summary.mjs'), ...expected], {
    cwd: tmp.dir,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return r.stdout.trimEnd().split('\n');
}

const report = (file: string, tests: { suite: string; status: string }[]) => ({
  numPassedTests: tests.filter((t) => t.status === 'passed').length,
  numFailedTests: tests.filter((t) => t.status === 'failed').length,
  numPendingTests: tests.filter((t) => t.status === 'skipped').length,
  numTodoTests: 0,
  success: !tests.some((t) => t.status === 'failed'),
  testResults: [
    {
      name: path.join(tmp.dir, file),
      assertionResults: tests.map((t) => ({ ancestorTitles: [t.suite], status: t.status })),
    },
  ],
});

describe('a required suite that cannot run', () => {
  it('fails the run under CI, naming the reason', () => {
    const r = runFixture('1');
    expect(r.status).toBe(1);
    expect(r.output).toContain(
      'required fixture suite must run under CI, but was skipped: the fixture never has what it needs',
    );
    expect(JSON.parse(r.skips)).toEqual({
      suite: 'required fixture suite',
      reason: 'the fixture never has what it needs',
    });
  });

  it('is skipped, with its reason recorded, outside CI', () => {
    const r = runFixture('');
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/1 skipped/);
    expect(r.skips).toContain('the fixture never has what it needs');
  });

  it('reads CI=1 and CI=true as CI, and nothing, 0 or false as not', () => {
    for (const v of ['1', 'true', 'TRUE', 'yes']) expect(underCi({ CI: v })).toBe(true);
    for (const v of [undefined, '', '0', 'false']) expect(underCi({ CI: v })).toBe(false);
  });
});

describe('the CI summary', () => {
  it('names every skipped suite and why before a closing line that is only the counts', () => {
    tmp = tempDir();
    const lines = summary(
      {
        'unit.json': report('test/unit/a.test.ts', [
          { suite: 'a', status: 'passed' },
          { suite: 'a', status: 'passed' },
        ]),
        'e2e.json': report('test/e2e/electron.test.ts', [
          { suite: 'Electron desktop shell', status: 'skipped' },
          { suite: 'Electron desktop shell', status: 'skipped' },
          { suite: 'other', status: 'skipped' },
          { suite: 'ui', status: 'passed' },
        ]),
        'skips.jsonl': `${JSON.stringify({ suite: 'Electron desktop shell', reason: 'no Electron binary' })}\n`,
      },
      ['unit', 'e2e'],
    );
    expect(lines).toEqual([
      'skipped: Electron desktop shell (test/e2e/electron.test.ts, 2 tests): no Electron binary',
      'skipped: other (test/e2e/electron.test.ts, 1 test): no reason recorded (a .skip or .todo in the file?)',
      '3 passed, 0 failed, 3 skipped',
    ]);
    expect(lines.at(-1)).toMatch(CLOSING_LINE);
  });

  it('counts an expected report that is missing as a failure', () => {
    tmp = tempDir();
    const lines = summary(
      { 'unit.json': report('test/unit/a.test.ts', [{ suite: 'a', status: 'passed' }]) },
      ['unit', 'e2e'],
    );
    expect(lines).toEqual([
      'not run: e2e (no test-results/e2e.json; an earlier step failed?)',
      '1 passed, 1 failed, 0 skipped',
    ]);
  });
});
