import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StateMachine } from '../../core/base/state-machine.js';
import { MeshError } from '../../core/base/errors.js';
import { ROOM_TRANSITIONS } from '../../core/room/room.js';
import { LINK_TRANSITIONS } from '../../core/link/peer-link.js';
import { SIGNALING_TRANSITIONS } from '../../core/signaling/signaling-types.js';

describe('StateMachine', () => {
  it('moves along allowed transitions and reports each change once', () => {
    const changes: string[] = [];
    const m = new StateMachine<'a' | 'b' | 'c'>('a', { a: ['b'], b: ['c', 'a'], c: [] }, (f, t, r) => changes.push(`${f}>${t}:${r}`));
    assert.equal(m.to('b', 'go'), true);
    assert.equal(m.to('b', 'again'), false, 'same state is not a change');
    m.to('c', 'end');
    assert.deepEqual(changes, ['a>b:go', 'b>c:end']);
  });

  it('throws a MeshError with code illegal-transition on a transition the table forbids', () => {
    const m = new StateMachine<'a' | 'b'>('a', { a: [], b: [] }, () => {}, 'Thing');
    assert.throws(() => m.to('b', 'why not'), (err: unknown) => err instanceof MeshError && err.code === 'illegal-transition' && /Thing: a → b/.test(err.message));
    assert.equal(m.state, 'a');
  });

  for (const [name, table] of Object.entries({ Room: ROOM_TRANSITIONS, PeerLink: LINK_TRANSITIONS, SignalingClient: SIGNALING_TRANSITIONS })) {
    it(`${name}: closed is final and reachable from every other state`, () => {
      const t = table as Record<string, readonly string[]>;
      assert.deepEqual(t.closed, []);
      for (const [state, next] of Object.entries(t)) if (state !== 'closed') assert.ok(next.includes('closed'), `${state} → closed`);
    });
  }
});
