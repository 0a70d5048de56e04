// The model-based test of issue 15: random sequences of joins, resumes (right and wrong key),
// same-name takeovers, leaves, socket drops, grace expiry (on a stepped clock), publishes, relay
// restarts — and for Redis, Redis restarts and freezes (SIGSTOP) — run against a real relay on
// both backends, checked after every step against a simple model (see model/room-model.ts and
// RealSystem.settle for the invariants). fast-check generates and shrinks the sequences; a
// shrunk counterexample becomes a plain regression test. `npm run bench` runs a long soak.
import { describe, it, before, after } from 'node:test';
import fc from 'fast-check';
import { RoomModel } from './model/room-model.js';
import { RealSystem, SharedRedis, type Backend } from './model/real-system.js';
import { roomCommands } from './model/room-commands.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 300);

for (const backend of ['memory', 'redis'] as Backend[]) {
  describe(`room model (${backend})`, () => {
    const redis = backend === 'redis' ? new SharedRedis() : null;
    before(async () => { await redis?.start(); });
    after(async () => { await redis?.stop(); });

    it(`holds the room invariants over ${RUNS} random sequences`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(roomCommands(backend, Number(process.env.MODEL_FAULT_WEIGHT ?? 3)), { maxCommands: 12, size: 'max' }), async (cmds) => {
          const real = await RealSystem.create(backend, redis);
          try {
            await fc.asyncModelRun(() => ({ model: new RoomModel(), real }), cmds);
          } finally {
            await real.close();
          }
        }),
        { numRuns: RUNS, includeErrorInReport: true, seed: process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined, endOnFailure: process.env.MODEL_SHRINK !== '1' },
      );
    });
  });
}
