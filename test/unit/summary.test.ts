import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The summary line `npm test` ends with cannot hide a failure: test/run-inside.sh's way of
 * running a node:test runner (run-runner.sh, the count reporter, --test-force-exit) on fixture
 * suites, then test/helpers/summary.mjs over what they recorded.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = 'test/fixtures/summary';
/** The line CI parses: one line alone, "N passed, N failed" with an optional word and colon first. */
const CI_LINE = /^(\w+: )?(\d+) passed, (\d+) failed$/;

function sh(cmd: string, args: string[]) {
  // Without NODE_TEST_CONTEXT, which would make the fixture's node --test think it is nested in ours.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

describe('the summary line', () => {
  let dir = '';
  const runNode = (name: string, file: string) => sh('bash', ['test/helpers/run-runner.sh', dir, name, '60',
    process.execPath, '--test', '--test-force-exit', '--test-reporter=./test/helpers/count-reporter.mjs', `--test-reporter-destination=${dir}/${name}-events.log`, `${FIXTURES}/${file}`]);
  const summary = (...runners: string[]) => {
    const r = sh(process.execPath, ['test/helpers/summary.mjs', dir, ...runners]);
    return { status: r.status, lines: r.out.trimEnd().split('\n') };
  };
  const counts = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-summary-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts a failing test, a throwing hook and a hanging test as failures, a skip as skipped, and exits non-zero', { timeout: 90_000 }, () => {
    const started = Date.now();
    const run = runNode('broken', 'broken.fixture.mjs');
    assert.notEqual(run.status, 0, `the runner exits non-zero:\n${run.out}`);
    assert.ok(Date.now() - started < 30_000, 'the hanging test ended at its own deadline, and its file with it');
    const { failures, ...c } = counts('broken');
    assert.deepEqual(c, { passed: 2, failed: 3, skipped: 1 });
    const s = summary('broken');
    assert.equal(s.status, 1);
    // Each failure named with the start of its error, above the runner's line (a CI log's tail).
    assert.equal(failures.length, 3);
    const named = s.lines.filter((l) => l.startsWith('broken failed: '));
    assert.equal(named.length, 3, s.lines.join('\n'));
    assert.ok(named.some((l) => /broken\.fixture\.mjs:\d+ › fails — .*3/.test(l)), named.join('\n'));
    assert.ok(named.some((l) => /the after hook threw/.test(l)), named.join('\n'));
    assert.ok(named.some((l) => /› hangs — .*timed out/i.test(l)), named.join('\n'));
    assert.deepEqual(s.lines.slice(-3), [
      `broken: 2 passed, 3 failed, 1 skipped (exit status ${run.status})`,
      '1 skipped',
      'tests: 2 passed, 3 failed',
    ]);
    assert.match(s.lines.at(-1)!, CI_LINE);
  });

  it('web-test-runner: a failing test, a throwing hook and a hanging test are failures, a skip is skipped', { timeout: 120_000 }, () => {
    const run = sh('bash', ['test/helpers/run-runner.sh', dir, 'wtr-broken', '100',
      process.execPath, '--import', './test/helpers/ts-loader.mjs', 'node_modules/@web/test-runner/dist/bin.js', '--config', `${FIXTURES}/wtr.config.mjs`]);
    assert.notEqual(run.status, 0, `the runner exits non-zero:\n${run.out}`);
    const { failures, ...c } = counts('wtr-broken');
    assert.deepEqual(c, { passed: 2, failed: 3, skipped: 1 });
    const s = summary('wtr-broken');
    assert.equal(s.status, 1);
    assert.equal(failures.length, 3);
    assert.equal(s.lines.filter((l) => l.startsWith('wtr-broken failed: test/fixtures/summary/broken.wtr.js')).length, 3, s.lines.join('\n'));
    assert.equal(s.lines.at(-1), 'tests: 2 passed, 3 failed');
  });

  it('a runner that exits non-zero while its counts say all passed is one failure, in the line and the exit code', () => {
    writeFileSync(join(dir, 'liar.js'), 'require("fs").writeFileSync(process.env.COUNT_FILE, JSON.stringify({ passed: 5, failed: 0, skipped: 0 })); process.exit(3);');
    const run = sh('bash', ['test/helpers/run-runner.sh', dir, 'liar', '60', process.execPath, join(dir, 'liar.js')]);
    assert.equal(run.status, 3);
    const s = summary('liar');
    assert.equal(s.status, 1);
    assert.match(s.lines[0], /^liar: 5 passed, 1 failed, 0 skipped — exited with status 3 although no test failed/);
    assert.equal(s.lines.at(-1), 'tests: 5 passed, 1 failed');
  });

  it('a runner that runs out of time and never reports is a failure', () => {
    const run = sh('bash', ['test/helpers/run-runner.sh', dir, 'stuck', '1', 'sleep', '30']);
    assert.equal(run.status, 124);
    const s = summary('stuck');
    assert.equal(s.status, 1);
    assert.match(s.lines[0], /^stuck: did not report \(exit status 124\) — counted as 1 failure$/);
    assert.equal(s.lines.at(-1), 'tests: 0 passed, 1 failed');
  });

  it('all green: exit 0, and the last line is the CI line with 0 failed', { timeout: 60_000 }, () => {
    const run = runNode('green', 'green.fixture.mjs');
    assert.equal(run.status, 0, run.out);
    const s = summary('green');
    assert.equal(s.status, 0);
    assert.deepEqual(s.lines, ['green: 2 passed, 0 failed, 0 skipped', '0 skipped', 'tests: 2 passed, 0 failed'], 'no failure named');
    assert.match(s.lines.at(-1)!, CI_LINE);
  });

  it('a run with no test at all does not pass', () => {
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ passed: 0, failed: 0, skipped: 0 }));
    writeFileSync(join(dir, 'empty.exit'), '0');
    assert.equal(summary('empty').status, 1);
  });
});
