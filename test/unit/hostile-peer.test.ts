import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChannelFrame, type ChannelFrame } from '../../core/delivery/channel-frames.js';
import { Inbox, MAX_AHEAD_PER_SENDER } from '../../core/delivery/inbox.js';
import { SentLog } from '../../core/delivery/sent-log.js';
import { PeerFrameLimit } from '../../core/delivery/peer-frame-limit.js';
import { mulberry32 } from '../helpers/fuzz-frames.js';

/**
 * What another member's browser can send over the data channel, seeded so a failure replays:
 * valid frames of every kind with fields swapped for odd values, huge and fractional numbers,
 * repair ranges up to 2^53, oversized arrays, prototype keys, and things that are not frames.
 */
function channelFuzz(seed: number): () => unknown {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ODD: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, 2 ** 53 - 1, Number.MAX_VALUE, -0, '', '1', [], {}, [1, 2], 'x'.repeat(1000),
    JSON.parse('{"__proto__":{"polluted":1}}'), JSON.parse('{"constructor":{"prototype":{"polluted":1}}}')];
  const n = () => (rnd() < 0.6 ? 1 + Math.floor(rnd() * 100) : pick(ODD));
  const big = () => pick([2 ** 53 - 1, 2 ** 53, 2 ** 31, 1, 0, -5, 1e21]);
  const valid = (): Record<string, unknown> => {
    switch (pick(['msg', 'volatile', 'repair-request', 'repair-reply', 'media', 'x'])) {
      case 'msg': return { t: 'msg', n: n(), data: pick(ODD), sentAt: n() };
      case 'volatile': return { t: 'volatile', data: pick(ODD), sentAt: n() };
      case 'repair-request': return { t: 'repair-request', fromN: rnd() < 0.5 ? 1 : big(), toN: big() };
      case 'repair-reply': return {
        t: 'repair-reply',
        messages: Array.from({ length: rnd() < 0.05 ? 1001 : Math.floor(rnd() * 5) }, () => ({ n: n(), data: pick(ODD), sentAt: 0 })),
        missing: Array.from({ length: rnd() < 0.05 ? 1001 : Math.floor(rnd() * 3) }, () => (rnd() < 0.8 ? [1, big()] : pick(ODD))),
      };
      case 'media': return { t: 'media', audio: pick([true, false, 1, 'yes']), video: pick([true, false, null]), screen: pick([true, false]), recording: pick([true, 'true', 1]) };
      default: return { t: pick(['', 'MSG', '__proto__', 'constructor', 'toString', null, 7]) };
    }
  };
  return () => {
    const r = rnd();
    if (r < 0.1) return pick(ODD);
    const f = valid();
    for (const k of Object.keys(f)) if (rnd() < 0.2) f[k] = pick(ODD);
    if (rnd() < 0.1) delete f[pick(Object.keys(f))];
    if (rnd() < 0.1) Object.defineProperty(f, '__proto__', { value: { t: 'msg', polluted: 1 }, enumerable: true });
    // As it would arrive: JSON text parsed by the channel.
    return JSON.parse(JSON.stringify(f));
  };
}

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** The invariants every frame parseChannelFrame returns must hold. */
function checkFrame(f: ChannelFrame): void {
  const keys: Record<ChannelFrame['t'], string[]> = {
    msg: ['t', 'n', 'data', 'sentAt'], volatile: ['t', 'data', 'sentAt'], 'repair-request': ['t', 'fromN', 'toN'],
    'repair-reply': ['t', 'messages', 'missing'], media: ['t', 'audio', 'video', 'screen', 'recording', 'sfu'], 'relay-up': ['t'],
  };
  assert.deepEqual(Object.keys(f), keys[f.t], 'only the known fields, never anything else from the wire');
  assert.equal(Object.getPrototypeOf(f), Object.prototype);
  switch (f.t) {
    case 'msg': assert.ok(isCount(f.n) && f.n >= 1 && isCount(f.sentAt) && f.data !== undefined); break;
    case 'volatile': assert.ok(isCount(f.sentAt) && f.data !== undefined); break;
    case 'repair-request': assert.ok(isCount(f.fromN) && f.fromN >= 1 && isCount(f.toN) && f.toN >= f.fromN); break;
    case 'repair-reply':
      assert.ok(f.messages.length <= 1000 && f.missing.length <= 1000);
      for (const m of f.messages) assert.ok(isCount(m.n) && m.n >= 1 && isCount(m.sentAt));
      for (const [a, b] of f.missing) assert.ok(isCount(a) && isCount(b) && b >= a);
      break;
    case 'media': for (const k of ['audio', 'video', 'screen', 'recording', 'sfu'] as const) assert.equal(typeof f[k], 'boolean'); break;
  }
}

describe('input from a hostile peer', () => {
  it('parseChannelFrame: 30,000 fuzzed frames never throw, and every frame it accepts is well-formed', () => {
    const next = channelFuzz(Number(process.env.FUZZ_SEED ?? 20));
    const accepted: Record<string, number> = {};
    for (let i = 0; i < 30_000; i++) {
      const input = next();
      const f = parseChannelFrame(input);
      if (f === null) continue;
      checkFrame(f);
      accepted[f.t] = (accepted[f.t] ?? 0) + 1;
    }
    // The fuzz reaches every kind (it is not all rejected at the door).
    assert.deepEqual(Object.keys(accepted).sort(), ['media', 'msg', 'repair-reply', 'repair-request', 'volatile']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a repair range of 1..2^53 costs what the sent log holds, nothing more', () => {
    const log = new SentLog({ maxMessages: 1000, maxBytes: 1e9 });
    for (let n = 1; n <= 1500; n++) log.add({ n, data: n, sentAt: 0, bytes: 10 });
    const started = performance.now();
    const { messages, missing } = log.range(1, 2 ** 53 - 1);
    assert.ok(performance.now() - started < 100);
    assert.equal(messages.length, 1000);
    assert.deepEqual(missing, [[1, 500], [1501, 2 ** 53 - 1]]);
  });

  it('a message numbered 2^53 - 1 is not held, and giving up a range up to 2^53 is immediate', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('eve', 1);
    inbox.receive({ from: 'eve', n: 2 ** 53 - 1, data: 'far', sentAt: 0 });
    assert.equal(inbox.tooFarAhead, 1);
    inbox.receive({ from: 'eve', n: 3, data: 'near', sentAt: 0 });
    assert.deepEqual(inbox.gaps().map((g) => [g.fromN, g.toN]), [[1, 2]]);
    // As when a repair reply says "1..2^53 - 2 are gone": the inbox must not count through the range.
    const started = performance.now();
    const { lost, delivered } = inbox.skip('eve', 2 ** 53 - 2);
    assert.ok(performance.now() - started < 100, 'no loop over the range');
    assert.equal(lost, 2 ** 53 - 2 - 1);
    assert.deepEqual(delivered.map((d) => d.n), [3]);
    assert.deepEqual(inbox.gaps(), []);
  });

  it('a flood of out-of-order message numbers is held only up to a bound ahead, so memory stays bounded and delivery goes on', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('eve', 1);
    const rnd = mulberry32(5);
    for (let i = 0; i < 100_000; i++) inbox.receive({ from: 'eve', n: 2 + Math.floor(rnd() * 2 ** 40), data: i, sentAt: 0 });
    for (let i = 0; i < 100_000; i++) inbox.receive({ from: 'eve', n: 2 + Math.floor(rnd() * 2 * MAX_AHEAD_PER_SENDER), data: i, sentAt: 0 });
    assert.ok(inbox.held('eve') < MAX_AHEAD_PER_SENDER, `${inbox.held('eve')} held`);
    assert.ok(inbox.tooFarAhead > 100_000);
    assert.equal(inbox.gaps()[0].fromN, 1, 'gaps() still works (no spread of every held key)');
    // Once 1 arrives, what was held is delivered in order.
    const delivered = inbox.receive({ from: 'eve', n: 1, data: 1, sentAt: 0 }).map((d) => d.n);
    assert.deepEqual(delivered, Array.from({ length: delivered.length }, (_, k) => k + 1));
    assert.ok(delivered.length > 1);
  });

  it('PeerFrameLimit: a flood is cut to the burst plus the rate, and repair requests to their own rate', () => {
    let now = 0;
    const limit = new PeerFrameLimit(() => now, { perSecond: 100, burst: 200 }, { perSecond: 2, burst: 5 });
    let ok = 0;
    for (let i = 0; i < 10_000; i++) if (limit.admit('msg')) ok++;
    assert.equal(ok, 200);
    now += 1000;
    let repairs = 0;
    for (let i = 0; i < 10_000; i++) if (limit.admit('repair-request')) repairs++;
    assert.equal(repairs, 5, 'repair requests have their own, smaller bucket');
    now += 1000;
    ok = 0;
    for (let i = 0; i < 10_000; i++) if (limit.admit(null)) ok++;
    assert.equal(ok, 100, 'refilled at 100/s (every frame counts against the rate, refused ones too)');
    assert.equal(limit.admitted + limit.refused, 30_000);
  });
});
