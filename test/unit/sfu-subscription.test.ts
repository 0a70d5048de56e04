// An SFU subscription's own logic on a fake clock (issue 19): one request at a time, asking again
// at once when the publication came up meanwhile, backing off while the member publishes nothing,
// and finding video that stopped moving from health samples. The peer connection parts are
// covered by the browser tests in test/sfu/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SfuSubscription, type SubscriptionHost } from '../../core/sfu/sfu-subscription.js';
import { FakeClock } from '../helpers/fake-clock.js';

function subscription(accept = true, random = () => 1) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const asked: number[] = [];
  const stalls: Array<number | null> = [];
  const host: SubscriptionHost = {
    clock,
    random, // 1: the longest delay of each step (full jitter draws up to it)
    RTC: undefined as unknown as typeof RTCPeerConnection,
    config: () => ({}),
    subscribe: () => { asked.push(clock.now() - t0); return accept; },
    start: () => true,
    candidate: () => {},
    stream: () => {},
    layer: () => true,
    stalled: (_peer, since) => stalls.push(since === null ? null : since - t0),
  };
  return { s: new SfuSubscription(host, 'peer-aaaaaaaaaaaaaaaa'), clock, asked, stalls };
}

describe('SfuSubscription', () => {
  it('asks once at a time; a publication that came up meanwhile makes it ask again at once, not after its backoff', () => {
    const { s, clock, asked } = subscription();
    s.request();
    s.request();
    assert.equal(asked.length, 1);
    s.later(); // the first request came back empty, but the publication is up now
    assert.equal(asked.length, 2);
    s.later(); // empty again, nothing new: backoff 0.5 s, 1 s, 2 s …
    clock.advance(499);
    assert.equal(asked.length, 2);
    clock.advance(1);
    assert.equal(asked.length, 3);
    s.close();
    clock.advance(60_000);
    assert.equal(asked.length, 3, 'nothing after close()');
  });

  it('draws each retry anywhere up to its step (full jitter), from the room\'s random', () => {
    const { s, clock, asked } = subscription(false, () => 0.5);
    s.request();
    for (const ms of [250, 500, 1000]) clock.advance(ms);
    assert.deepEqual(asked, [0, 250, 750, 1750]);
    s.close();
  });

  it('asks again when no offer comes within 10 s, and backs off while the relay cannot take the request', () => {
    const answered = subscription();
    answered.s.request();
    answered.clock.advance(10_000);
    assert.equal(answered.asked.length, 2);
    answered.s.close();
    const down = subscription(false);
    down.s.request();
    for (const ms of [500, 1000, 2000, 4000, 5000, 5000]) down.clock.advance(ms);
    assert.deepEqual(down.asked, [0, 500, 1500, 3500, 7500, 12500, 17500]);
    down.s.close();
  });

  it('finds video that stands still for 2 s while the member sends it, reports it once, asks anew, and clears it when frames move', () => {
    const { s, clock, asked, stalls } = subscription();
    s.progress(10, true);
    clock.advance(1000);
    s.progress(20, true);
    clock.advance(1000);
    s.progress(20, true); // still since t=2000
    clock.advance(1000);
    s.progress(20, true);
    assert.deepEqual(stalls, []);
    clock.advance(1000);
    s.progress(20, true); // 2 s still
    assert.deepEqual(stalls, [2000]);
    assert.equal(asked.length, 1, 'the subscription is asked for anew');
    clock.advance(2000);
    s.progress(20, true);
    assert.deepEqual(stalls, [2000], 'reported once while it lasts');
    s.progress(25, true);
    assert.deepEqual(stalls, [2000, null]);
    s.close();
  });

  it('never calls a stall what the member does not send (camera off), and gives a new connection 8 s', () => {
    const { s, clock, stalls } = subscription();
    for (let t = 0; t < 10; t++) {
      s.progress(5, false);
      clock.advance(1000);
    }
    assert.deepEqual(stalls, []);
    const fresh = subscription();
    fresh.s.progress(0, true);
    fresh.clock.advance(7000);
    fresh.s.progress(0, true);
    assert.deepEqual(fresh.stalls, []);
    fresh.clock.advance(1000);
    fresh.s.progress(0, true);
    assert.deepEqual(fresh.stalls, [0]);
    s.close();
    fresh.s.close();
  });
});
