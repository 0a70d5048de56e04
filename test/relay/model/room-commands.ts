// The operations of the model-based test, as fast-check commands: each checks when it applies,
// runs against the real relay, compares what the real clients receive with what the model says,
// updates the model, and waits until the relay's view of the room matches it again.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PROTOCOL_VERSION } from '../../../core/protocol.js';
import { MODEL_LIMITS, NAMES, type ModelClient, type RoomModel } from './room-model.js';
import { ROOM, freshIdentity, joinFrames, type RealSystem } from './real-system.js';
import { eventually } from '../../helpers/eventually.js';

type Cmd = fc.AsyncCommand<RoomModel, RealSystem, false>;
const MAX_CLIENTS = 10;
const pick = <T>(xs: T[], k: number): T => xs[k % xs.length];

function newClient(model: RoomModel, name: string, identity = freshIdentity()): ModelClient {
  const c: ModelClient = { id: model.clients.length, ...identity, name, open: false, epoch: null, lastSeq: 0, lastN: 0 };
  model.clients.push(c);
  return c;
}

/** A join (or resume, when the client has seen the room before) checked against the model. */
async function join(model: RoomModel, real: RealSystem, c: ModelClient): Promise<void> {
  const expected = model.expectJoin(c);
  const resume = c.epoch !== null ? { epoch: c.epoch, lastSeq: c.lastSeq } : undefined;
  const ws = await real.connect(c);
  const frame = { type: 'join', v: PROTOCOL_VERSION, room: ROOM, peerId: c.peerId, key: c.key, session: c.session, name: c.name, baseN: 0, lastN: c.lastN, ...(resume ? { resume } : {}) };
  const got = await joinFrames(ws, frame);
  if (!expected.ok) {
    assert.ok('error' in got && got.error === expected.code, `join of ${c.name}: expected ${expected.code}, got ${JSON.stringify(got)}`);
    await ws.closed();
    return;
  }
  assert.ok(!('error' in got), `join of ${c.name}: expected a welcome, got ${JSON.stringify(got)}`);
  const { welcome, replay, synced } = got;
  if (expected.newRoom) assert.ok(!model.seenEpochs.has(welcome.epoch), 'a new room has a new epoch');
  else assert.equal(welcome.epoch, model.epoch, 'the epoch changes only when the relay lost its memory');
  const seq = expected.newRoom ? 0 : model.seq;
  assert.equal(welcome.seq, seq);
  assert.equal(welcome.resumed, expected.resumed);
  const others = welcome.members.map((m) => m.id);
  assert.equal(new Set(others).size, others.length, 'nobody listed twice');
  assert.ok(!others.includes(c.peerId), 'not listed among the others');
  const expectedOthers = [...model.members.values()].filter((m) => m.peerId !== c.peerId && !expected.replaced.includes(m.peerId));
  assert.deepEqual(welcome.members.map((m) => [m.id, m.online]).sort(), expectedOthers.map((m) => [m.peerId, m.online]).sort());
  // The catch-up: every acknowledged message still within the bounds, after the client's position.
  const window = expected.newRoom ? [] : model.window(real.clock.now());
  const from = resume && resume.epoch === welcome.epoch ? Math.min(resume.lastSeq, seq) : 0;
  assert.deepEqual(replay, window.filter((m) => m.seq > from).map((m) => m.seq), 'the replay');
  const firstHeld = Math.min(window[0]?.seq ?? seq + 1, seq + 1);
  assert.equal(synced.unavailable, resume ? Math.max(0, firstHeld - 1 - from) : 0);
  assert.equal(synced.epochChanged, resume !== undefined && resume.epoch !== welcome.epoch);
  model.applyJoin(c, expected, welcome.epoch);
}

export class NewMember implements Cmd {
  constructor(readonly name: string) {}
  check = (m: Readonly<RoomModel>) => m.clients.length < MAX_CLIENTS;
  async run(m: RoomModel, r: RealSystem) { await join(m, r, newClient(m, this.name)); await r.settle(m, this.toString()); }
  toString = () => `join(${JSON.stringify(this.name)})`;
}

/** Same name, new peer id: a reload without stored identity, a second device. */
export class Takeover implements Cmd {
  constructor(readonly k: number) {}
  check = (m: Readonly<RoomModel>) => m.clients.length > 0 && m.clients.length < MAX_CLIENTS;
  async run(m: RoomModel, r: RealSystem) { await join(m, r, newClient(m, pick(m.clients, this.k).name)); await r.settle(m, this.toString()); }
  toString = () => `takeover(${this.k})`;
}

/** A client whose socket is down comes back: with its own key, or someone with a wrong one. */
export class Resume implements Cmd {
  constructor(readonly k: number, readonly rightKey: boolean) {}
  private targets = (m: Readonly<RoomModel>) => m.clients.filter((c) => !c.open && c.epoch !== null);
  check = (m: Readonly<RoomModel>) => this.targets(m).length > 0 && (this.rightKey || m.clients.length < MAX_CLIENTS);
  async run(m: RoomModel, r: RealSystem) {
    const c = pick(this.targets(m), this.k);
    const who = this.rightKey ? c : newClient(m, c.name, { ...freshIdentity(), peerId: c.peerId, session: c.session });
    if (!this.rightKey) Object.assign(who, { epoch: c.epoch, lastSeq: c.lastSeq });
    await join(m, r, who);
    await r.settle(m, this.toString());
  }
  toString = () => `resume(${this.k}, ${this.rightKey ? 'right key' : 'wrong key'})`;
}

export class Leave implements Cmd {
  constructor(readonly k: number) {}
  check = (m: Readonly<RoomModel>) => m.onlineClients().length > 0;
  async run(m: RoomModel, r: RealSystem) {
    const c = pick(m.onlineClients(), this.k);
    const ws = r.socket(c);
    ws.send({ type: 'leave', session: c.session });
    assert.equal((await ws.closed()).code, 1000);
    m.leave(c);
    await r.settle(m, this.toString());
  }
  toString = () => `leave(${this.k})`;
}

export class Drop implements Cmd {
  constructor(readonly k: number) {}
  check = (m: Readonly<RoomModel>) => m.onlineClients().length > 0;
  async run(m: RoomModel, r: RealSystem) {
    const c = pick(m.onlineClients(), this.k);
    r.socket(c).terminate();
    m.socketGone(c, r.clock.now());
    await r.settle(m, this.toString());
  }
  toString = () => `drop(${this.k})`;
}

/** Time passes on the relay's clock: past the grace period, or half the replay age. */
export class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: RoomModel, r: RealSystem) {
    r.clock.advance(this.ms);
    m.expire(r.clock.now());
    await r.settle(m, this.toString());
  }
  toString = () => `advance(${this.ms})`;
}

async function publishFrom(m: RoomModel, r: RealSystem, c: ModelClient, size: number, beforeAck?: () => Promise<void>): Promise<void> {
  const ws = r.socket(c);
  const n = c.lastN + 1;
  const data = 'x'.repeat(size);
  ws.send({ type: 'publish', n, data, sentAt: 1 });
  await beforeAck?.();
  const ack = await ws.next((f) => f.type === 'ack' && f.n === n, 5000, `ack ${n}`);
  const seq = m.seq + 1;
  assert.equal((ack as { seq: number }).seq, seq, 'seq grows by one within an epoch');
  for (const o of m.onlineClients()) {
    if (o === c) continue;
    const other = r.socket(o);
    await other.next((f) => f.type === 'message' && f.seq === seq, 5000, `message ${seq} at ${o.name}`);
    assert.equal(other.all('message').filter((x) => x.seq === seq && x.from === c.peerId).length, 1, 'delivered once');
  }
  m.publish(c, size + 2, r.clock.now());
  await r.settle(m, `publish ${seq}`);
}

export class Publish implements Cmd {
  constructor(readonly k: number, readonly size: number) {}
  check = (m: Readonly<RoomModel>) => m.onlineClients().length > 0;
  run = (m: RoomModel, r: RealSystem) => publishFrom(m, r, pick(m.onlineClients(), this.k), this.size);
  toString = () => `publish(${this.k}, ${this.size} B)`;
}

export class RelayRestart implements Cmd {
  check = (m: Readonly<RoomModel>) => m.faults < 1;
  async run(m: RoomModel, r: RealSystem) {
    m.faults++;
    const open = m.onlineClients();
    await r.restartRelay();
    for (const c of open) assert.equal((await r.socket(c).closed()).code, 1001);
    if (r.backend === 'memory') m.lostMemory();
    else for (const c of open) m.socketGone(c, r.clock.now());
    await r.settle(m, this.toString());
  }
  toString = () => 'relayRestart';
}

export class RedisRestart implements Cmd {
  check = (m: Readonly<RoomModel>) => m.faults < 1;
  async run(m: RoomModel, r: RealSystem) {
    m.faults++;
    const open = m.onlineClients();
    await r.redis!.process.restart();
    for (const c of open) await r.socket(c).closed(10_000);
    await eventually(() => r.relay.backend.healthy, 10_000, 'the relay reaches Redis again');
    m.lostMemory();
    await r.settle(m, this.toString());
  }
  toString = () => 'redisRestart';
}

/** Redis stops answering (SIGSTOP) while a member publishes; the publish is refused, resent later, stored once. */
export class RedisFreeze implements Cmd {
  constructor(readonly k: number) {}
  check = (m: Readonly<RoomModel>) => m.faults < 1 && m.onlineClients().length > 0;
  async run(m: RoomModel, r: RealSystem) {
    m.faults++;
    const c = pick(m.onlineClients(), this.k);
    const ws = r.socket(c);
    const n = c.lastN + 1;
    r.redis!.process.freeze();
    try {
      ws.send({ type: 'publish', n, data: 'frozen', sentAt: 1 });
      const err = await ws.next((f) => f.type === 'error' && f.ref === `publish:${n}`, 5000, 'the refusal');
      assert.equal((err as { code: string }).code, 'unavailable');
    } finally {
      r.redis!.process.thaw();
    }
    await eventually(() => r.relay.backend.healthy, 5000, 'Redis answers again');
    await publishFrom(m, r, c, 6);
  }
  toString = () => `redisFreeze(${this.k})`;
}

/**
 * The operations, weighted (a publish is 70, a join 50, …; each fault `faultWeight`, at most one
 * per run, and only where it exists).
 */
export function roomCommands(backend: 'memory' | 'redis', faultWeight = 10): Array<fc.Arbitrary<Cmd>> {
  const k = fc.nat(9);
  const weighted: Array<fc.WeightedArbitrary<Cmd>> = [
    { weight: 50, arbitrary: fc.constantFrom(...NAMES).map((n) => new NewMember(n)) },
    { weight: 20, arbitrary: k.map((x) => new Takeover(x)) },
    { weight: 40, arbitrary: fc.tuple(k, fc.boolean()).map(([x, right]) => new Resume(x, right)) },
    { weight: 10, arbitrary: k.map((x) => new Leave(x)) },
    { weight: 30, arbitrary: k.map((x) => new Drop(x)) },
    { weight: 20, arbitrary: fc.constantFrom(MODEL_LIMITS.graceMs + 1000, 30_000).map((ms) => new Advance(ms)) },
    { weight: 70, arbitrary: fc.tuple(k, fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 300, max: 700 }))).map(([x, size]) => new Publish(x, size)) },
    { weight: faultWeight, arbitrary: fc.constant(new RelayRestart()) },
  ];
  if (backend === 'redis') {
    weighted.push({ weight: faultWeight, arbitrary: fc.constant(new RedisRestart()) });
    weighted.push({ weight: faultWeight, arbitrary: k.map((x) => new RedisFreeze(x)) });
  }
  return [fc.oneof(...weighted)];
}
