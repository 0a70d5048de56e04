import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BEAT, BEAT_ANSWER, LinkHeartbeat } from '../../core/link/link-heartbeat.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** Two heartbeats joined by a "wire" the test can cut: what one sends, the other hears at once. */
function pair(clock: FakeClock) {
  const seen: Array<[string, boolean]> = [];
  let cut = false;
  const a: LinkHeartbeat = new LinkHeartbeat(clock, 500, 1250, (s) => seen.push(['a', s]));
  const b: LinkHeartbeat = new LinkHeartbeat(clock, 500, 1250, (s) => seen.push(['b', s]));
  const wire = (to: LinkHeartbeat) => ({ send: (d: string) => { if (!cut) to.heard(d); } });
  a.start(wire(b));
  b.start(wire(a));
  return { a, b, seen, cut: (on: boolean) => { cut = on; } };
}

/**
 * A heartbeat whose send queue is a counter the test sets (`d.written`), and whose remote holds
 * each answer until the test lets it through (`d.held`, oldest first); `answers: false` is a
 * remote that never answers.
 */
function delivering(answers = true) {
  const clock = new FakeClock();
  const d = { clock, written: 0, beats: 0, confirmed: [] as number[], held: [] as Array<() => void>, hb: null as unknown as LinkHeartbeat };
  d.hb = new LinkHeartbeat(clock, 500, 60_000, () => {}, { mark: () => d.written, confirm: (m) => d.confirmed.push(m) });
  d.hb.start({ send: (data) => {
    if (data !== BEAT) return;
    d.beats++;
    if (answers) d.held.push(() => d.hb.heard(BEAT_ANSWER));
  } });
  return d;
}

describe('LinkHeartbeat', () => {
  it('a link that stops carrying packets is silent within 1.75 s, and speaks again with the first byte', () => {
    const clock = new FakeClock();
    const { a, b, seen, cut } = pair(clock);
    clock.advance(5000);
    assert.deepEqual(seen, [], 'a healthy link is never silent');
    cut(true);
    clock.advance(1500);
    assert.equal(a.silent, false, 'not after 1.5 s');
    clock.advance(250);
    assert.deepEqual(seen, [['a', true], ['b', true]], 'both sides within 1.75 s');
    cut(false);
    clock.advance(500);
    assert.deepEqual(seen.slice(2).sort(), [['a', false], ['b', false]]);
    assert.equal(a.silent || b.silent, false);
    a.stop();
    b.stop();
    assert.equal(clock.pending, 0, 'stop() leaves no timer');
  });

  it('measures the round trip of each beat (the RTT of a link whose stats have none), and forgets it when stopped', () => {
    const clock = new FakeClock();
    const answers: Array<() => void> = [];
    const hb = new LinkHeartbeat(clock, 500, 1250, () => {});
    // The remote answers each beat 40 ms later (a real round trip, on the fake clock).
    hb.start({ send: (d) => { if (d === BEAT) answers.push(() => hb.heard(BEAT_ANSWER)); } });
    assert.equal(hb.rttMs, null, 'nothing measured before the first answer');
    clock.advance(40);
    answers.shift()!();
    assert.equal(hb.rttMs, 40);
    clock.advance(460); // the next beat
    clock.advance(15);
    answers.shift()!();
    assert.equal(hb.rttMs, 15, 'the latest round trip');
    hb.heard(BEAT_ANSWER);
    assert.equal(hb.rttMs, 15, 'an answer with no beat waiting measures nothing');
    hb.stop();
    assert.equal(hb.rttMs, null);
  });

  it('measures a round trip longer than the beat interval by matching each answer to its own beat', () => {
    const clock = new FakeClock();
    const hb = new LinkHeartbeat(clock, 500, 5000, () => {});
    // Each beat is answered 600 ms after it went out: after the next beat was sent.
    hb.start({ send: (d) => { if (d === BEAT) clock.setTimeout(() => hb.heard(BEAT_ANSWER), 600); } });
    clock.advance(600);
    assert.equal(hb.rttMs, 600);
    clock.advance(1000);
    assert.equal(hb.rttMs, 600, 'not 100 ms: the answer to the beat at 500 ms comes at 1100 ms');
    hb.stop();
  });

  it('reports no RTT while the link is silent', () => {
    const clock = new FakeClock();
    let cut = false;
    const a = new LinkHeartbeat(clock, 500, 1250, () => {});
    const b = new LinkHeartbeat(clock, 500, 1250, () => {});
    const wire = (to: LinkHeartbeat) => ({ send: (d: string) => { if (!cut) to.heard(d); } });
    // b first, so that b answers a's very first beat (a beat to a side not started yet goes unanswered).
    b.start(wire(a));
    a.start(wire(b));
    clock.advance(1000);
    assert.equal(a.rttMs, 0, 'measured (the fake wire answers at once)');
    cut = true;
    clock.advance(2000);
    assert.equal(a.silent, true);
    assert.equal(a.rttMs, null, 'the last figure is not shown for a link that went silent');
    a.stop();
    b.stop();
  });

  it('a path that dies right after the channel opened is still noticed: the first beat goes at once', () => {
    const clock = new FakeClock();
    const { a, b, seen, cut } = pair(clock);
    cut(true); // before any timer ran: only the beats sent on opening got through
    clock.advance(1750);
    assert.deepEqual(seen.sort(), [['a', true], ['b', true]]);
    a.stop();
    b.stop();
  });

  it('answers each beat at once, so a remote whose timers run once a minute (a hidden tab) is never taken for dead', () => {
    const clock = new FakeClock();
    const events: boolean[] = [];
    const sent: string[] = [];
    const hb = new LinkHeartbeat(clock, 500, 1250, (s) => events.push(s));
    hb.start({ send: (d) => { sent.push(d); if (d === BEAT) hb.heard(BEAT_ANSWER); } });
    // The remote's own beats come once a minute; it answers ours at once.
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      assert.equal(hb.heard(BEAT), true, 'a beat is consumed');
    }
    assert.deepEqual(events, []);
    assert.equal(sent.filter((d) => d === BEAT_ANSWER).length, 5, 'each remote beat was answered');
    hb.stop();
  });

  it('never calls a remote silent that has not shown it beats (an older peer), and passes frames on', () => {
    const clock = new FakeClock();
    const events: boolean[] = [];
    const hb = new LinkHeartbeat(clock, 500, 1250, (s) => events.push(s));
    hb.start({ send: () => {} });
    assert.equal(hb.heard('{"t":"msg"}'), false, 'a frame is not consumed');
    clock.advance(10_000);
    assert.deepEqual(events, []);
    hb.stop();
  });

  it('an answer confirms what was written before its own beat, never more; answers to beats it no longer lists confirm nothing', () => {
    const d = delivering();
    const { clock, confirmed, held, hb } = d;
    d.written = 3; // three frames after the first beat (mark 0)
    clock.advance(500); // beat 2, mark 3
    d.written = 5;
    clock.advance(500); // beat 3, mark 5
    held.shift()!();
    held.shift()!();
    assert.deepEqual(confirmed, [0, 3], 'each answer confirms its own beat\'s mark, not the latest');
    // Twelve more beats while beat 3's answer is still on its way: only the last eight beats stay
    // listed, so the answers to beats 3 to 7 confirm nothing; beat 8's confirms its mark.
    for (let i = 0; i < 12; i++) { d.written++; clock.advance(500); }
    assert.equal(held.length, 13);
    for (let i = 0; i < 5; i++) held.shift()!();
    assert.deepEqual(confirmed, [0, 3]);
    held.shift()!(); // beat 8: written was 5 + 5 then
    assert.deepEqual(confirmed, [0, 3, 10]);
    hb.stop();
    hb.heard(BEAT_ANSWER);
    assert.deepEqual(confirmed, [0, 3, 10], 'nothing after stop()');
  });

  it('frames written between beats are confirmed within a round trip, with at most one extra beat in flight', () => {
    const d = delivering();
    const { clock, confirmed, held, hb } = d;
    assert.equal(d.beats, 1, 'the first beat, on opening');
    held.shift()!();
    hb.confirmSoon();
    assert.equal(d.beats, 1, 'nothing written: no extra beat');
    d.written = 1;
    hb.confirmSoon();
    assert.equal(d.beats, 2, 'a frame was written: a beat goes at once');
    d.written = 2;
    hb.confirmSoon();
    d.written = 3;
    hb.confirmSoon();
    assert.equal(d.beats, 2, 'not while that beat is unanswered');
    clock.advance(10);
    held.shift()!();
    assert.deepEqual(confirmed, [0, 1]);
    assert.equal(d.beats, 3, 'its answer sends one more for what was written meanwhile');
    held.shift()!();
    assert.deepEqual(confirmed, [0, 1, 3]);
    assert.equal(d.beats, 3, 'all confirmed: the schedule alone goes on');
    hb.stop();
  });

  it('keeps nothing for a remote that never beats nor answers (an older peer): from the ninth beat on, each beat confirms what was written', () => {
    const d = delivering(false);
    const { clock, confirmed, hb } = d;
    for (let i = 1; i < 8; i++) { d.written++; clock.advance(500); }
    assert.deepEqual(confirmed, [], 'eight beats unanswered: still waiting');
    d.written = 20;
    clock.advance(500);
    assert.deepEqual(confirmed, [20]);
    hb.stop();
  });
});
