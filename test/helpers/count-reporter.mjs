// Reporters that write a runner's pass/fail/skip counts to a JSON file, so test/run.sh can add up
// every runner into one "N passed, N failed" line (see test/helpers/summary.mjs). Whatever goes
// wrong counts as a failure: a failing test, a throwing hook (of a suite or of a file), a test
// cancelled because its suite could not start, a test that timed out, a file that did not load.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The start of an error message, enough to tell what failed from a CI log's tail. */
function firstLines(message) {
  return String(message ?? '').split('\n').slice(0, 4).join(' ').slice(0, 400);
}

function write(file, counts) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(counts));
}

/** web-test-runner reporter. Failed files (load errors, hook errors) count as one failure each. */
export function wtrCountReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const c = { passed: 0, failed: 0, skipped: 0, failures: [] };
      const walk = (suite, path, session) => {
        for (const t of suite.tests ?? []) {
          if (t.skipped) c.skipped++;
          else if (t.passed) c.passed++;
          else {
            c.failed++;
            c.failures.push({ name: [...path, t.name].join(' › '), error: firstLines(t.error?.message) });
          }
        }
        for (const s of suite.suites ?? []) walk(s, [...path, s.name], session);
      };
      for (const session of sessions) {
        const before = c.failed;
        const file = session.testFile?.replace(/^.*\/test\//, 'test/') ?? 'a test file';
        if (session.testResults) walk(session.testResults, [file], session);
        // A session that failed without a failing test (a hook threw, the file did not load, the
        // browser gave up) is one failure more; so is one that reports errors of its own.
        if ((!session.passed && c.failed === before) || (session.errors?.length ?? 0) > 0) {
          c.failed++;
          c.failures.push({ name: `${file} (${session.browser?.name ?? 'browser'})`, error: firstLines(session.errors?.[0]?.message ?? 'the file failed without a failing test') });
        }
      }
      write(file, c);
    },
  };
}

/**
 * node:test reporter (a transform over the test event stream); pass to --test-reporter.
 * A suite's own failure counts unless it only repeats its failed tests (`subtestsFailed`): a
 * `before`/`after` hook that throws fails the suite with `hookFailed`, and that is counted.
 * The file is written after every result: with --test-force-exit the process may end before
 * the event stream does.
 */
export default async function* nodeCountReporter(source) {
  const file = process.env.COUNT_FILE ?? '.test-results/node.json';
  const c = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for await (const event of source) {
    const d = event.data;
    if (event.type === 'test:pass') {
      if (d.skip || d.todo) c.skipped++;
      else if (d.details?.type !== 'suite') c.passed++;
    } else if (event.type === 'test:fail') {
      const onlyRepeatsSubtests = d.details?.type === 'suite' && d.details?.error?.failureType === 'subtestsFailed';
      if (!onlyRepeatsSubtests) {
        c.failed++;
        const error = d.details?.error;
        const file = d.file?.replace(/^.*\/test\//, 'test/') ?? '';
        c.failures.push({ name: `${file}${d.line ? `:${d.line}` : ''} › ${d.name}`, error: firstLines(error?.cause?.message ?? error?.message) });
      }
    } else {
      continue;
    }
    write(file, c);
  }
  write(file, c);
}
