/**
 * Deadlines of end-to-end tests (node:test `timeout` options). Every e2e test and hook has its
 * own, so a test that hangs fails by itself and the run goes on (test/run-inside.sh passes
 * --test-force-exit, so its file still ends). Generous: the machine is shared and slow.
 */
export const TEST = { timeout: 120_000 };
/** For tests that wait out long outages or soak under faults. */
export const LONG_TEST = { timeout: 300_000 };
/** `before`/`after`/`afterEach` hooks: browsers, relays and Redis start and stop in them. */
export const HOOK = { timeout: 60_000 };
