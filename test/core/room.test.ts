import { expect } from '@open-wc/testing';
import { Room, type RoomOptions, type RoomMessage, type RoomState } from '../../core/index.js';
import { sharedRelay, spawnRelay, restartRelay, disposeRelay, relayGet } from '../helpers/browser-relay.js';
import { randomId } from '../../core/base/ids.js';

/** Resolves when `room` reaches `state`. */
function roomState(room: Room, state: RoomState, timeoutMs = 15_000): Promise<void> {
  if (room.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`room did not reach ${state} within ${timeoutMs} ms (is ${room.state})`)), timeoutMs);
    const on = () => {
      if (room.state !== state) return;
      clearTimeout(timer);
      room.removeEventListener('state-change', on);
      resolve();
    };
    room.addEventListener('state-change', on);
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const allLinksUp = (rooms: Room[]) => rooms.every((r) => r.peers.length === rooms.length - 1 && r.peers.every((p) => p.state === 'connected'));

describe('Room', () => {
  const rooms: Room[] = [];
  let relayUrl = '';
  const make = (name: string, room: string, extra: Partial<RoomOptions> = {}) => {
    const r = new Room({ relay: relayUrl, room, name, ...extra });
    rooms.push(r);
    return r;
  };
  before(async () => {
    relayUrl = (await sharedRelay()).wsUrl;
  });
  afterEach(() => {
    for (const r of rooms.splice(0)) r.close();
  });

  it('a page that allows fewer members than the room has is refused with room-full, told why, and leaves without a trace', async () => {
    const id = `r-${randomId(6)}`;
    const [a, b] = [make('Ada', id), make('Bob', id)];
    await a.join();
    await b.join();
    const c = make('Cy', id, { maxPeers: 2 });
    const errors: string[] = [];
    c.addEventListener('error', (e) => errors.push(e.detail.code));
    const refused = await c.join().then(() => null, (e: { code: string; message: string }) => e);
    expect(refused?.code).to.equal('room-full');
    expect(refused?.message).to.contain('this page allows 2');
    expect(errors).to.deep.equal(['room-full']);
    expect(c.state).to.equal('idle');
    expect(c.peers).to.deep.equal([]);
    // The others saw Cy come and go; Ada and Bob are still each other's only peers.
    await until(() => a.peers.length === 1 && b.peers.length === 1, 'Cy gone from the others');
    expect(a.peers.map((p) => p.name)).to.deep.equal(['Bob']);
  });

  it('two rooms in one page join, connect peer to peer and exchange a message', async () => {
    const id = `r-${randomId(6)}`;
    const [a, b] = [make('Ada', id), make('Bob', id)];
    await a.join();
    await b.join();
    expect(a.state).to.equal('connected');
    await until(() => allLinksUp([a, b]), 'links up');
    expect(a.peers.map((p) => p.name)).to.deep.equal(['Bob']);
    expect(b.peers.map((p) => p.name)).to.deep.equal(['Ada']);
    const got = new Promise<RoomMessage>((resolve) => b.addEventListener('message', (e) => resolve(e.detail), { once: true }));
    const sent = a.send({ text: 'hi Bob' });
    const m = await got;
    expect(m.id).to.equal(sent.id);
    expect(m.data).to.deep.equal({ text: 'hi Bob' });
    expect(m.name).to.equal('Ada');
    expect(m.self).to.equal(false);
  });

  it('three rooms form a full mesh and every message arrives exactly once at every other member', async () => {
    const id = `r-${randomId(6)}`;
    const members = [make('A', id), make('B', id), make('C', id)];
    const inbox = new Map<Room, RoomMessage[]>(members.map((r) => [r, []]));
    for (const r of members) r.addEventListener('message', (e) => { if (!e.detail.self) inbox.get(r)!.push(e.detail); });
    for (const r of members) await r.join();
    await until(() => allLinksUp(members), 'full mesh');
    for (const [i, r] of members.entries()) for (let k = 0; k < 10; k++) r.send({ from: i, k });
    await until(() => [...inbox.values()].every((list) => list.length === 20), 'all messages');
    // Both paths (data channel and relay) carried them; each was delivered once, in order per sender.
    for (const [r, list] of inbox) {
      const ids = list.map((m) => m.id);
      expect(new Set(ids).size).to.equal(20);
      for (const sender of members.filter((x) => x !== r)) {
        const ks = list.filter((m) => m.from === sender.selfId).map((m) => (m.data as { k: number }).k);
        expect(ks).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    }
    // Which path wins each race depends on load; that the direct path works is checked
    // deterministically: a best-effort message only travels peer to peer.
    for (const list of inbox.values()) expect(list.every((m) => m.via === 'p2p' || m.via === 'relay')).to.equal(true);
    const direct = new Promise<RoomMessage>((resolve) => members[0].addEventListener('message', (e) => { if (!e.detail.durable) resolve(e.detail); }));
    members[1].send({ probe: true }, { durable: false });
    expect((await direct).via).to.equal('p2p');
  });

  it('refuses a name already in the room (ignoring case) with a typed error', async () => {
    const id = `r-${randomId(6)}`;
    await make('Henry', id).join();
    const dup = make('henry', id);
    let code = '';
    try {
      await dup.join();
    } catch (err) {
      code = (err as { code: string }).code;
    }
    expect(code).to.equal('name-taken');
    expect(dup.state).to.equal('failed');
  });

  it('tells the others at once when a member leaves', async () => {
    const id = `r-${randomId(6)}`;
    const [a, b] = [make('A', id), make('B', id)];
    await a.join();
    await b.join();
    const left = new Promise<string>((resolve) => a.addEventListener('peer-leave', (e) => resolve(e.detail.reason), { once: true }));
    b.leave();
    expect(await left).to.equal('leave');
    expect(a.peers).to.deep.equal([]);
    expect(b.state).to.equal('idle');
  });

  it('gives a late joiner the recent history, each message once', async () => {
    const id = `r-${randomId(6)}`;
    const a = make('A', id);
    await a.join();
    let acked = 0;
    a.addEventListener('acked', () => acked++);
    for (let i = 0; i < 5; i++) a.send(i);
    await until(() => a.history.length === 5, 'sent');
    await until(() => acked === 5, 'the relay stored all five');
    const b = make('B', id);
    await b.join();
    expect(b.history.map((m) => m.data)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(b.history.every((m) => m.via === 'replay')).to.equal(true);
  });

  it('keeps peer-to-peer links open while the relay restarts, and comes back to connected by itself', async () => {
    const relay = await spawnRelay();
    try {
      const id = `r-${randomId(6)}`;
      const fast = { signaling: { backoff: { firstMs: 100, baseMs: 200, maxMs: 500 } } };
      const [a, b] = [new Room({ relay: relay.wsUrl, room: id, name: 'A', ...fast }), new Room({ relay: relay.wsUrl, room: id, name: 'B', ...fast })];
      rooms.push(a, b);
      await a.join();
      await b.join();
      await until(() => allLinksUp([a, b]), 'links up');
      const pcA = a.linkTo(b.selfId)!.connection;
      const states: RoomState[] = [];
      a.addEventListener('state-change', (e) => states.push(e.detail.to));
      await restartRelay(relay);
      await roomState(a, 'connected');
      await roomState(b, 'connected');
      expect(states).to.include('reconnecting');
      expect(a.linkTo(b.selfId)!.connection).to.equal(pcA, 'the same peer connection survived');
      expect(a.peers[0].state).to.equal('connected');
      const got = new Promise<RoomMessage>((resolve) => b.addEventListener('message', (e) => resolve(e.detail), { once: true }));
      a.send('after restart');
      expect((await got).data).to.equal('after restart');
    } finally {
      await disposeRelay(relay);
    }
  });

  it('measures each link and reports its quality to the relay when it changes', async () => {
    const { httpUrl } = await sharedRelay();
    const id = `r-${randomId(6)}`;
    const [a, b] = [make('A', id, { healthIntervalMs: 200 }), make('B', id, { healthIntervalMs: 200 })];
    await a.join();
    await b.join();
    await until(() => a.peers[0]?.quality === 'good' && a.peers[0].metrics?.rttMs != null, 'A measured its link');
    expect(a.peers[0].metrics!.rttMs).to.be.below(150);
    // Each member posted its level once it was first known: the relay shows both.
    const deadline = performance.now() + 15_000;
    let levels: Array<string | undefined> = [];
    while (performance.now() < deadline) {
      const members = (await relayGet(`${httpUrl}/rooms/${id}/state`)).body.members as Array<{ quality: { quality: string } | null }>;
      levels = members.map((m) => m.quality?.quality);
      if (levels.length === 2 && levels.every((l) => l === 'good')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(levels).to.deep.equal(['good', 'good']);
  });

  it('close() is idempotent and closes every link', async () => {
    const id = `r-${randomId(6)}`;
    const [a, b] = [make('A', id), make('B', id)];
    await a.join();
    await b.join();
    await until(() => allLinksUp([a, b]), 'links up');
    const link = a.linkTo(b.selfId)!;
    a.close();
    a.close();
    expect(a.state).to.equal('closed');
    expect(link.state).to.equal('closed');
    let code = '';
    try { await a.join(); } catch (err) { code = (err as { code: string }).code; }
    expect(code).to.equal('closed');
  });
});
