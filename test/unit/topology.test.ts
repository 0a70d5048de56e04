// Where a room's media goes (issue 19): the mode, what the relay offers, the room's size and what
// peers say, decided by core/room/topology.ts. Checked with fast-check against a model: `auto`
// moves once, past the limit or when a peer moved, only with a relay that has an SFU, and never
// back before a leave.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Topology, type TopologyMode } from '../../core/room/topology.js';
import type { MeshError } from '../../core/base/errors.js';

function topology(mode: TopologyMode) {
  const moves: number[] = [];
  const errors: MeshError[] = [];
  let step = 0;
  const t = new Topology(mode, () => moves.push(step), (e) => errors.push(e));
  return { t, moves, errors, at: (n: number) => { step = n; } };
}

describe('Topology', () => {
  it('mesh stays a mesh whatever the size or the peers say', () => {
    const { t, moves } = topology('mesh');
    t.welcome({ meshLimit: 6 }, 9);
    t.size(20);
    t.peerOnSfu();
    assert.equal(t.transport, 'mesh');
    assert.equal(t.sfuPossible, false);
    assert.deepEqual(moves, []);
  });

  it('sfu goes through the SFU from the start; a relay without one is reported and the room stays a mesh', () => {
    const ok = topology('sfu');
    assert.equal(ok.t.transport, 'sfu');
    ok.t.welcome({ meshLimit: 6 }, 2);
    assert.equal(ok.t.transport, 'sfu');
    assert.equal(ok.errors.length, 0);
    const none = topology('sfu');
    none.t.welcome(undefined, 2);
    assert.equal(none.t.transport, 'mesh');
    assert.deepEqual(none.errors.map((e) => e.code), ['sfu-unavailable']);
    assert.match(none.errors[0].message, /--sfu-url/);
  });

  it('auto moves once the room has more members than the limit, and stays when people leave', () => {
    const { t, moves } = topology('auto');
    t.welcome({ meshLimit: 6 }, 5);
    t.size(6);
    assert.equal(t.transport, 'mesh');
    t.size(7);
    t.size(8);
    t.size(3);
    assert.equal(t.transport, 'sfu');
    assert.equal(moves.length, 1);
    t.reset();
    assert.equal(t.transport, 'mesh');
  });

  it('a page\'s own mesh limit below the relay\'s moves it earlier (the others follow it); above, the relay\'s counts', () => {
    const moves: number[] = [];
    const low = new Topology('auto', () => moves.push(1), () => {}, 3);
    low.welcome({ meshLimit: 6 }, 4);
    assert.equal(low.transport, 'sfu');
    const high = new Topology('auto', () => moves.push(2), () => {}, 20);
    high.welcome({ meshLimit: 6 }, 7);
    assert.equal(high.transport, 'sfu');
    assert.deepEqual(moves, [1, 2]);
  });

  it('auto follows a peer that moved (a newcomer to a room that shrank), but only with a relay that has an SFU', () => {
    const a = topology('auto');
    a.t.welcome({ meshLimit: 6 }, 3);
    a.t.peerOnSfu();
    assert.equal(a.t.transport, 'sfu');
    const b = topology('auto');
    b.t.welcome(undefined, 3);
    b.t.peerOnSfu();
    b.t.size(30);
    assert.equal(b.t.transport, 'mesh');
  });

  it('matches the model for any sequence of welcomes, sizes, peers that moved and leaves', () => {
    type Ev = { k: 'welcome'; sfu: boolean; limit: number; n: number } | { k: 'size'; n: number } | { k: 'peer' } | { k: 'reset' };
    const ev: fc.Arbitrary<Ev> = fc.oneof(
      fc.record({ k: fc.constant('welcome' as const), sfu: fc.boolean(), limit: fc.integer({ min: 1, max: 10 }), n: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ k: fc.constant('size' as const), n: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ k: fc.constant('peer' as const) }),
      fc.record({ k: fc.constant('reset' as const) }),
    );
    fc.assert(fc.property(fc.constantFrom<TopologyMode>('auto', 'mesh', 'sfu'), fc.array(ev, { maxLength: 30 }), (mode, events) => {
      const { t, moves, at } = topology(mode);
      let model: 'mesh' | 'sfu' = mode === 'sfu' ? 'sfu' : 'mesh';
      let limit: number | null = null;
      const expectedMoves: number[] = [];
      let step = 0;
      const move = () => {
        if (model === 'mesh') { model = 'sfu'; expectedMoves.push(step); }
      };
      events.forEach((e, i) => {
        at(i);
        step = i;
        if (e.k === 'welcome') {
          t.welcome(e.sfu ? { meshLimit: e.limit } : undefined, e.n);
          limit = e.sfu ? e.limit : null;
          if (mode === 'sfu' && !e.sfu) model = 'mesh';
          if (mode === 'auto' && limit !== null && e.n > limit) move();
        } else if (e.k === 'size') {
          t.size(e.n);
          if (mode === 'auto' && limit !== null && e.n > limit) move();
        } else if (e.k === 'peer') {
          t.peerOnSfu();
          if (mode === 'auto' && limit !== null) move();
        } else {
          t.reset();
          model = mode === 'sfu' ? 'sfu' : 'mesh';
          limit = null;
        }
        assert.equal(t.transport, model, `after event ${i} ${JSON.stringify(e)}`);
      });
      assert.deepEqual(moves, expectedMoves, 'it moves exactly at the events the model moves at');
    }), { numRuns: 500 });
  });
});
