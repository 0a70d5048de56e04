import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MeshError } from '../../core/base/errors.js';
import { StateMachine } from '../../core/base/state-machine.js';
import { inboundProgress, StallDetector } from '../../core/media/stall-detector.js';
import { REPAIR_STEP_MS, REPAIR_TRANSITIONS, StallRepair, type RepairState, type StallReading } from '../../core/media/stall-repair.js';
import { repairKinds } from '../../core/media/stall-watch.js';
import { FakeClock } from '../helpers/fake-clock.js';

type Stat = Record<string, unknown> & { type: string };
const recorded = JSON.parse(readFileSync(new URL('../fixtures/stall-history.json', import.meta.url), 'utf8')) as { peers: Record<string, Array<{ at: number; stats: Stat[] }>> };

const video = { audio: false, video: true };
const stalled = (...kinds: Array<'audio' | 'video'>): StallReading => ({ expected: true, stalled: kinds, progressed: false });
const moving: StallReading = { expected: true, stalled: [], progressed: true };
const still: StallReading = { expected: true, stalled: [], progressed: false };

/** A repair on a fake clock that records the steps it takes and its transitions. */
function setup() {
  const clock = new FakeClock();
  const steps: string[] = [];
  const changes: string[] = [];
  const act = (name: string) => (kinds: string[]) => steps.push(`${name}:${kinds.join('+')}`);
  const repair = new StallRepair(clock, { 'key-frame': act('key-frame'), renegotiate: act('renegotiate'), 'ice-restart': act('ice-restart'), recreate: act('recreate') }, (c) => changes.push(`${c.from}>${c.to}`));
  return { clock, steps, changes, repair };
}

describe('stall detection', () => {
  it('a real stalled stream (recorded getStats of the 4-page call) is stalled 2 s after its last frame; another only from 2 s after it stopped', () => {
    const d = new StallDetector();
    const bob = recorded.peers.Bob;
    // Bob's video had moved before the recording began (the failing run's counters show it).
    d.read(bob[0].at - 500, { video: 290, audioOut: null, audioReal: null }, video, true);
    const firstStall = bob.find((s) => d.read(s.at, inboundProgress(s.stats), video, false).stalled.includes('video'));
    assert.ok(firstStall, 'Bob is found stalled');
    assert.ok(firstStall.at - bob[0].at >= 2000 - 500 && firstStall.at - bob[0].at <= 2000 + 1500, `noticed ${firstStall.at - bob[0].at} ms after the last frame`);

    // Di's video moved until 16.7 s into the recording (184 frames), then stopped too.
    const di = new StallDetector();
    const diSamples = recorded.peers.Di;
    const readings = diSamples.map((s, i) => ({ at: s.at, ...di.read(s.at, inboundProgress(s.stats), video, i === 0) }));
    const lastFrameAt = diSamples.find((s) => s.stats[0].framesDecoded === 184)!.at;
    assert.deepEqual(readings.filter((r) => r.stalled.length).map((r) => r.at), diSamples.filter((s) => s.at - lastFrameAt >= 2000).map((s) => s.at), 'stalled exactly from 2 s after its last frame');
    assert.ok(readings.filter((r) => r.at <= lastFrameAt).slice(1).every((r) => r.progressed), 'moving before');
  });

  it('judges only what the peer says it sends, waits longer for media that has not started, and starts over on a new connection', () => {
    const d = new StallDetector(2000, 8000);
    const p = (v: number) => ({ video: v, audioOut: null, audioReal: null });
    assert.deepEqual(d.read(0, p(0), video, true).stalled, []);
    assert.deepEqual(d.read(3000, p(0), video, false).stalled, [], 'never moved: 8 s of grace');
    assert.deepEqual(d.read(8000, p(0), video, false).stalled, ['video']);
    assert.equal(d.read(8500, p(5), video, false).progressed, true);
    assert.deepEqual(d.read(10_000, p(5), video, false).stalled, [], '1.5 s without a frame is not yet a stall');
    assert.deepEqual(d.read(10_500, p(5), video, false).stalled, ['video']);
    assert.deepEqual(d.read(11_000, p(5), { audio: false, video: false }, false).stalled, [], 'camera off by intent');
    assert.deepEqual(d.read(11_500, p(5), video, false).stalled, [], 'camera on again: timing starts afresh');
    assert.deepEqual(d.read(12_000, null, video, false).stalled, [], 'link down: not judged');
    assert.deepEqual(d.read(20_000, p(0), video, true).stalled, [], 'a new connection: its counters start again');
  });

  it('audio is stalled when it is played out only as concealment; audio nobody plays is not judged', () => {
    const a = (out: number, concealed: number) => inboundProgress([{ type: 'inbound-rtp', kind: 'audio', totalSamplesReceived: out, concealedSamples: concealed }]);
    const e = new StallDetector();
    e.read(0, a(0, 0), { audio: true, video: false }, true);
    e.read(500, a(24_000, 0), { audio: true, video: false }, false);
    assert.deepEqual(e.read(1500, a(72_000, 48_000), { audio: true, video: false }, false).stalled, []);
    assert.deepEqual(e.read(2600, a(120_000, 96_000), { audio: true, video: false }, false).stalled, ['audio'], 'played out, all concealment, for 2 s');
    assert.equal(e.read(3000, a(140_000, 96_000), { audio: true, video: false }, false).progressed, true);
    const f = new StallDetector();
    f.read(0, a(0, 0), { audio: true, video: false }, true);
    f.read(500, a(24_000, 0), { audio: true, video: false }, false);
    assert.deepEqual(f.read(5000, a(24_000, 0), { audio: true, video: false }, false).stalled, [], 'not played out: not judged');
  });

  it('a repair request from a peer is checked before use', () => {
    assert.deepEqual(repairKinds({ t: 'media-repair', kinds: ['video'] }), ['video']);
    for (const bad of [null, 1, { t: 'media-repair' }, { t: 'media-repair', kinds: ['screen'] }, { t: 'media-repair', kinds: 'video' }, { t: 'media-repair', kinds: ['video', 'video', 'audio'] }, { t: 'msg', kinds: ['video'] }]) {
      assert.equal(repairKinds(bad), null, JSON.stringify(bad));
    }
  });
});

describe('stall repair state machine (fake clock)', () => {
  it('escalates key frame → renegotiate → ICE restart → recreate → failed, each after its bound, and recovers when media moves', () => {
    const { clock, steps, changes, repair } = setup();
    repair.update(still);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'key-frame');
    assert.deepEqual(steps, ['key-frame:video']);
    clock.advance(REPAIR_STEP_MS[0] - 1);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'key-frame', 'not before its bound');
    clock.advance(1);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'renegotiate');
    clock.advance(REPAIR_STEP_MS[1]);
    repair.update(stalled('video'));
    clock.advance(REPAIR_STEP_MS[2]);
    repair.update(stalled('video'));
    clock.advance(REPAIR_STEP_MS[3]);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'failed');
    assert.deepEqual(steps, ['key-frame:video', 'renegotiate:video', 'ice-restart:video', 'recreate:video']);
    clock.advance(60_000);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'failed', 'failed takes no further step by itself');
    repair.update(moving);
    assert.equal(repair.state, 'moving');
    assert.deepEqual(changes, ['idle>moving', 'moving>key-frame', 'key-frame>renegotiate', 'renegotiate>ice-restart', 'ice-restart>recreate', 'recreate>failed', 'failed>moving']);
  });

  it('a key frame that helps ends the repair; a stall soon after starts one step further; after a quiet while, from the start', () => {
    const { clock, steps, repair } = setup();
    repair.update(stalled('video'));
    clock.advance(300);
    repair.update(still);
    assert.equal(repair.state, 'key-frame', 'no progress yet: the step goes on');
    repair.update(moving);
    assert.equal(repair.state, 'moving');
    clock.advance(3000);
    repair.update(stalled('audio', 'video'));
    assert.equal(repair.state, 'renegotiate', 'the key frame helped only briefly');
    repair.update(moving);
    clock.advance(10_000);
    repair.update(still);
    repair.update(stalled('video'));
    assert.equal(repair.state, 'key-frame');
    assert.deepEqual(steps, ['key-frame:video', 'renegotiate:audio+video', 'key-frame:video']);
  });

  it('a peer that stops sending by intent ends the repair; close is final and idempotent', () => {
    const { repair } = setup();
    repair.update(stalled('video'));
    repair.update({ expected: false, stalled: [], progressed: false });
    assert.equal(repair.state, 'idle');
    repair.close();
    repair.close();
    repair.update(stalled('video'));
    assert.equal(repair.state, 'closed');
  });

  it('the transition table: closed is final and reachable from everywhere; a step is reached only from the one before it or moving', () => {
    const table = REPAIR_TRANSITIONS as Record<RepairState, readonly RepairState[]>;
    assert.deepEqual(table.closed, []);
    for (const [s, next] of Object.entries(table)) if (s !== 'closed') assert.ok(next.includes('closed'), `${s} → closed`);
    assert.ok(!table.idle.includes('key-frame') && !table['key-frame'].includes('recreate') && !table.failed.includes('key-frame'));
  });

  it('an illegal transition throws (a step skipped, or leaving closed)', () => {
    for (const [from, to] of [['idle', 'failed'], ['idle', 'key-frame'], ['key-frame', 'ice-restart'], ['moving', 'failed']] as Array<[RepairState, RepairState]>) {
      const m = new StateMachine<RepairState>(from, REPAIR_TRANSITIONS, () => {}, 'StallRepair');
      assert.throws(() => m.to(to, 'probe'), (e: unknown) => e instanceof MeshError && e.code === 'illegal-transition', `${from} → ${to}`);
    }
  });
});
