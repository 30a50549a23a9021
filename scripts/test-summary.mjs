// Sums every vitest JSON report in test-results/ into one closing line, "N passed, N failed, N skipped".
// Before it, one line per suite that skipped tests, with the reason the suite recorded in
// test-results/skips.jsonl (test/helpers/skips.ts), and one per expected report that is missing:
//   node scripts/test-summary.mjs [expected report names, e.g. unit e2e]
// The closing line stays alone on the last line, so whatever reads the counts there still can.
import fs from 'node:fs';
import path from 'node:path';

const dir = 'test-results';

function readReports() {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  return files.map((f) => ({
    name: path.basename(f, '.json'),
    report: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
  }));
}

/** The reason each suite recorded for skipping (the latest one wins). */
function readSkipReasons() {
  const file = path.join(dir, 'skips.jsonl');
  const reasons = new Map();
  if (!fs.existsSync(file)) return reasons;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { suite, reason } = JSON.parse(line);
    reasons.set(suite, reason);
  }
  return reasons;
}

const SKIPPED = new Set(['skipped', 'pending', 'todo']);

/** Skipped tests grouped by file and top-level suite: "file › suite" → count. */
function skippedSuites(reports) {
  const groups = new Map();
  for (const { report } of reports) {
    for (const file of report.testResults ?? []) {
      for (const test of file.assertionResults ?? []) {
        if (!SKIPPED.has(test.status)) continue;
        const suite = test.ancestorTitles?.[0] ?? '(no suite)';
        const key = JSON.stringify([path.relative(process.cwd(), file.name), suite]);
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
  }
  return [...groups].map(([key, count]) => {
    const [file, suite] = JSON.parse(key);
    return { file, suite, count };
  });
}

const reports = readReports();
let passed = 0;
let failed = 0;
let skipped = 0;
for (const { report: r } of reports) {
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.success === false && !r.numFailedTests ? 1 : 0);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

const reasons = readSkipReasons();
for (const { file, suite, count } of skippedSuites(reports)) {
  const reason = reasons.get(suite) ?? 'no reason recorded (a .skip or .todo in the file?)';
  console.log(`skipped: ${suite} (${file}, ${count} ${count === 1 ? 'test' : 'tests'}): ${reason}`);
}
const present = new Set(reports.map((r) => r.name));
for (const name of process.argv.slice(2).filter((n) => !present.has(n))) {
  console.log(`not run: ${name} (no ${dir}/${name}.json; an earlier step failed?)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
