// Reporters that write a runner's pass/fail counts to a JSON file, so test/run.sh can add up
// every runner into one "N passed, N failed" line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

function write(file, passed, failed) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ passed, failed }));
}

/** web-test-runner reporter. Failed files (load errors) count as one failure each. */
export function wtrCountReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const t of suite.tests ?? []) {
          if (t.skipped) continue;
          if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite.suites ?? []) walk(s);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        if (!session.passed && (session.errors?.length ?? 0) > 0) failed++;
      }
      write(file, passed, failed);
    },
  };
}

/** node:test reporter (a transform over the test event stream); pass to --test-reporter. */
export default async function* nodeCountReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed++;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed++;
  }
  write(process.env.COUNT_FILE ?? '.test-results/node.json', passed, failed);
}
