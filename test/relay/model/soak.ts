// The long soak of the room model (run by bench/room-model.mjs): as many random sequences per
// backend as fit in the time budget, in batches with fresh seeds; prints JSON with how many
// passed, and the first counterexample if one failed.
// Usage: node --import ./test/helpers/ts-loader.mjs test/relay/model/soak.ts [seconds per backend]
import fc from 'fast-check';
import { RoomModel } from './room-model.js';
import { RealSystem, SharedRedis, type Backend } from './real-system.js';
import { roomCommands } from './room-commands.js';

const budgetMs = Number(process.argv[2] ?? 300) * 1000;
const results: Record<string, unknown> = {};
for (const backend of ['memory', 'redis'] as Backend[]) {
  const redis = backend === 'redis' ? new SharedRedis() : null;
  await redis?.start();
  const t0 = Date.now();
  let passed = 0;
  let batches = 0;
  let failure: { seed: number; counterexample: string; error: string } | null = null;
  while (Date.now() - t0 < budgetMs && !failure) {
    const seed = (Date.now() ^ (batches * 7919)) | 0;
    const details = await fc.check(
      fc.asyncProperty(fc.commands(roomCommands(backend, 10), { maxCommands: 30, size: 'max' }), async (cmds) => {
        const real = await RealSystem.create(backend, redis);
        try {
          await fc.asyncModelRun(() => ({ model: new RoomModel(), real }), cmds);
        } finally {
          await real.close();
        }
      }),
      { numRuns: 100, seed, endOnFailure: true },
    );
    batches++;
    passed += details.failed ? details.numRuns - 1 : details.numRuns;
    if (details.failed) failure = { seed, counterexample: fc.stringify(details.counterexample), error: String((details.errorInstance as Error)?.message ?? details.errorInstance).slice(0, 2000) };
  }
  await redis?.stop();
  results[backend] = { sequencesPassed: passed, failed: failure !== null, failure, seconds: Math.round((Date.now() - t0) / 1000) };
}
process.stdout.write(JSON.stringify(results) + '\n');
process.exit(Object.values(results).some((r) => (r as { failed: boolean }).failed) ? 1 : 0);
