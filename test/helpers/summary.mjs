// Adds up the runners' results into the one line CI reads, "tests: N passed, N failed".
//   node test/helpers/summary.mjs RESULTS NAME...
// For each NAME it reads RESULTS/NAME.json (counts written by the runner's reporter) and
// RESULTS/NAME.exit (the runner's exit status, from run-runner.sh). A runner that did not report,
// or exited non-zero with no failure counted, adds one failure: the line can never say
// "0 failed" while a runner failed. Each failed test is named, with the start of its error, just
// above its runner's line: what a CI log's tail shows. Skipped tests are shown on the line before the last one,
// which stays exactly "tests: N passed, N failed". Exits 1 unless everything passed.
import { existsSync, readFileSync } from 'node:fs';

const [dir, ...runners] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let runnerFailed = false;
for (const r of runners) {
  const countFile = `${dir}/${r}.json`;
  const exitFile = `${dir}/${r}.exit`;
  const status = existsSync(exitFile) ? Number(readFileSync(exitFile, 'utf8').trim()) : null;
  if (!existsSync(countFile)) {
    console.log(`${r}: did not report${status === null ? '' : ` (exit status ${status})`} — counted as 1 failure`);
    failed++;
    runnerFailed = true;
    continue;
  }
  const c = JSON.parse(readFileSync(countFile, 'utf8'));
  let f = c.failed ?? 0;
  let note = '';
  if (status !== null && status !== 0) {
    runnerFailed = true;
    if (f === 0) {
      f = 1;
      note = ` — exited with status ${status}${status === 124 ? ' (ran out of time)' : ''} although no test failed: counted as 1 failure`;
    } else {
      note = ` (exit status ${status})`;
    }
  }
  for (const x of c.failures ?? []) console.log(`${r} failed: ${x.name}${x.error ? ` — ${x.error}` : ''}`);
  console.log(`${r}: ${c.passed} passed, ${f} failed, ${c.skipped ?? 0} skipped${note}`);
  passed += c.passed;
  failed += f;
  skipped += c.skipped ?? 0;
}
console.log(`${skipped} skipped`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || runnerFailed || passed === 0 ? 1 : 0);
