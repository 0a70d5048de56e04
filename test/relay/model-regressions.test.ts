// Counterexamples the model-based test (room-model.test.ts) found and shrank, kept as plain
// regression tests: each runs its exact sequence of operations against the real relay.
import { describe, it, before, after } from 'node:test';
import fc from 'fast-check';
import { RoomModel } from './model/room-model.js';
import { RealSystem, SharedRedis, type Backend } from './model/real-system.js';
import { Advance, Drop, Leave, NewMember, Publish, RedisFreeze, RedisRestart, RelayRestart, Resume, Takeover } from './model/room-commands.js';

type Cmd = fc.AsyncCommand<RoomModel, RealSystem, false>;

const CASES: Array<{ backend: Backend; what: string; cmds: () => Cmd[] }> = [
  {
    backend: 'redis',
    what: 'a refused look-alike join, then Redis restarts: the refused socket is no member and nothing hangs',
    cmds: () => [new NewMember('Ada'), new NewMember('Bob'), new NewMember('B\u043eb'), new RedisRestart()],
  },
  {
    backend: 'redis',
    // Found by the soak; it failed only when Bob's join completed while the node was still
    // sending its heartbeat and reconcile after Redis came back (he was then sent away with 1012
    // and went offline). That moment is held open, and the fix checked, in redis-outage.test.ts.
    what: 'the last member leaves a room with messages, Redis restarts empty, and someone joins again (found by the soak)',
    cmds: () => [new NewMember('B\u043eb'), new Publish(4, 467), new Publish(6, 375), new Publish(8, 548), new Publish(6, 1), new Publish(4, 35), new Leave(4), new RedisRestart(), new NewMember('Bob')],
  },
];

for (const backend of ['memory', 'redis'] as Backend[]) {
  const cases = CASES.filter((c) => c.backend === backend);
  if (cases.length === 0) continue;
  describe(`room model regressions (${backend})`, () => {
    const redis = backend === 'redis' ? new SharedRedis() : null;
    before(async () => { await redis?.start(); });
    after(async () => { await redis?.stop(); });
    for (const c of cases) {
      it(c.what, async () => {
        const real = await RealSystem.create(backend, redis);
        try {
          await fc.asyncModelRun(() => ({ model: new RoomModel(), real }), c.cmds());
        } finally {
          await real.close();
        }
      });
    }
  });
}

// Every operation is used in a case above or reachable from room-model.test.ts.
void [Advance, Drop, Leave, Publish, RedisFreeze, RelayRestart, Resume, Takeover];
