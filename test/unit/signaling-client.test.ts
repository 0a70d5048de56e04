import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { SignalingClient } from '../../core/signaling/signaling-client.js';
import { healthzUrl } from '../../core/signaling/relay-reachable.js';
import type { SignalingState, SignalingClientOptions } from '../../core/signaling/signaling-types.js';
import { Outbox } from '../../core/delivery/outbox.js';
import { randomId } from '../../core/base/ids.js';
import type { MessageFrame, ServerFrame } from '../../core/protocol.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { systemClock } from '../../core/base/clock.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { nextEvent, until } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

const quiet = new Logger('silent');

describe('SignalingClient', () => {
  let relay: RelayServer;
  let proxy: TcpProxy;
  const owned: Array<{ close(): void }> = [];
  let roomNo = 0;

  before(async () => {
    relay = new RelayServer({ port: 0, graceMs: 5000 }, { log: quiet });
    await relay.listen();
    proxy = new TcpProxy(relay.address().port);
    await proxy.listen();
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.close();
    proxy.heal();
  });
  after(async () => {
    await proxy.close();
    await relay.close();
  });

  function client(overrides: Partial<SignalingClientOptions> & { name?: string; room?: string } = {}) {
    const clock = overrides.clock ?? new FakeClock();
    const outbox = (overrides.outbox as Outbox | undefined) ?? new Outbox();
    const identity = { room: overrides.room ?? `sc-${++roomNo}`, peerId: randomId(), key: randomId(), session: randomId(), name: overrides.name ?? 'Ada', baseN: 0 };
    const states: SignalingState[] = [];
    const sc = new SignalingClient({
      urls: [proxy.wsUrl],
      identity: () => identity,
      outbox,
      WebSocket: WebSocket as never,
      clock,
      random: () => 0.5,
      networkEvents: null,
      visibility: null,
      ...overrides,
    });
    sc.addEventListener('state-change', (e) => states.push(e.detail.to));
    // The outbox's owner (a room's delivery, here the test) removes what the relay stored.
    sc.addEventListener('ack', (e) => outbox.ack(e.detail.n));
    owned.push(sc);
    const frames: ServerFrame[] = [];
    sc.addEventListener('frame', (e) => frames.push(e.detail));
    return { sc, clock: clock as FakeClock, outbox, identity, states, frames };
  }

  it('joins: idle → connecting → connected, with welcome before synced', async () => {
    const { sc, states } = client();
    const order: string[] = [];
    sc.addEventListener('welcome', () => order.push('welcome'));
    sc.addEventListener('synced', () => order.push('synced'));
    assert.equal(sc.state, 'idle');
    sc.connect();
    assert.equal(sc.state, 'connecting');
    await nextEvent(sc, 'synced');
    assert.deepEqual(states, ['connecting', 'connected']);
    assert.deepEqual(order, ['welcome', 'synced']);
  });

  it('reconnects after the socket is cut and resumes the same membership', async () => {
    const { sc, clock, states } = client();
    sc.connect();
    await nextEvent(sc, 'synced');
    proxy.cut();
    await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
    // The first retry is fast: at most 250 ms (here 125 ms with random = 0.5).
    assert.deepEqual(clock.scheduled.filter((d) => d <= 250), [125]);
    const resumed = nextEvent<{ resumed: boolean }>(sc, 'welcome');
    clock.advance(125);
    assert.equal((await resumed).resumed, true);
    await until(() => sc.state === 'connected', 5000, 'connected');
    assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'connected']);
  });

  describe('asking over HTTP before a reconnect (browsers throttle failed WebSocket connects)', () => {
    /** Counts the sockets the client opens (ws's own class, unchanged otherwise). */
    function countingWebSocket() {
      const opened = { count: 0 };
      class Counting extends WebSocket {
        constructor(url: string) { super(url); opened.count++; }
      }
      return { Counting, opened };
    }
    /** Lets `n` retries run, each 2 s of fake time apart (here each waits ≤ 1 s: random 0.5 of a cap of at most 2 s in a young outage). */
    async function retries(n: number, made: () => number, clock: FakeClock) {
      for (let i = 0; i < n; i++) {
        const before = made();
        clock.advance(2000);
        await until(() => made() > before && clock.scheduled.length === 1 && clock.scheduled[0] <= 1000, 5000, `retry ${i} made and the next scheduled`);
      }
    }
    /** A real HTTP request to the relay's /healthz (through the proxy), as a page's fetch would make. */
    function httpCheck() {
      const asked = { count: 0 };
      const reachable = (url: string, signal: AbortSignal) => {
        asked.count++;
        return fetch(healthzUrl(url), { signal }).then(() => true, () => false);
      };
      return { reachable, asked };
    }

    it('maps the WebSocket URL to /healthz beside it, over http(s)', () => {
      assert.equal(healthzUrl('ws://127.0.0.1:8080/ws'), 'http://127.0.0.1:8080/healthz');
      assert.equal(healthzUrl('wss://example.org/mesh/ws?x=1'), 'https://example.org/mesh/healthz');
      assert.equal(healthzUrl('wss://example.org'), 'https://example.org/healthz');
      assert.throws(() => healthzUrl('not a url'));
    });

    it('once HTTP answers were seen while connected, a relay that is down gets HTTP requests, not WebSockets (but one per 30 s of outage), until it answers', async () => {
      const { Counting, opened } = countingWebSocket();
      const { reachable, asked } = httpCheck();
      const { sc, clock, states } = client({ WebSocket: Counting as never, reachable });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => sc.asksFirst, 5000, 'the HTTP check made while connected');
      assert.equal(asked.count, 1);
      proxy.refuse();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      await retries(31, () => asked.count + opened.count, clock);
      // Retry i runs about 2 i s into the outage: retries 15 (31 s) and 30 (61 s) open a socket.
      assert.equal(opened.count, 1 + 2, 'a WebSocket anyway 30 s into the outage and 30 s after that; none else');
      assert.equal(asked.count, 1 + 29, 'every other retry asked over HTTP');
      assert.equal(sc.state, 'reconnecting');
      proxy.heal();
      clock.advance(2000);
      await until(() => sc.state === 'connected', 5000, 'connected once the relay answers');
      assert.equal(opened.count, 4, 'one WebSocket, opened after the relay answered');
      assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'connected']);
    });

    it('close() while asking: the request is aborted, no timer is left and no socket opens later', async () => {
      const { Counting, opened } = countingWebSocket();
      let signalOf: AbortSignal | null = null;
      const hanging = (_url: string, signal: AbortSignal) => {
        signalOf = signal;
        return sc.asksFirst ? new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false))) : Promise.resolve(true);
      };
      const { sc, clock } = client({ WebSocket: Counting as never, reachable: hanging });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => sc.asksFirst, 5000, 'the HTTP check made while connected');
      proxy.refuse();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      clock.advance(2000);
      await until(() => clock.scheduled.length === 1 && clock.scheduled[0] > 1000, 5000, 'an HTTP question under way (its deadline pending)');
      sc.close();
      assert.equal(signalOf!.aborted, true, 'the request was aborted');
      assert.deepEqual(clock.scheduled, [], 'no timer left');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(opened.count, 1, 'no socket opened after close()');
      assert.equal(sc.state, 'closed');
    });

    it('a check that throws counts as no answer: the client keeps retrying', async () => {
      let calls = 0;
      const throwing = () => { calls++; if (calls > 1) throw new Error('broken check'); return Promise.resolve(true); };
      const { Counting, opened } = countingWebSocket();
      const { sc, clock } = client({ WebSocket: Counting as never, reachable: throwing });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => sc.asksFirst, 5000, 'the HTTP check made while connected');
      proxy.refuse();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      await retries(16, () => calls + opened.count, clock);
      assert.equal(opened.count, 2, 'a WebSocket anyway, 30 s into the outage');
      proxy.heal();
      for (let i = 0; i < 20 && sc.state !== 'connected'; i++) {
        clock.advance(2000);
        await new Promise((r) => setTimeout(r, 50));
      }
      await until(() => sc.state === 'connected', 5000, 'connected by the next WebSocket anyway');
    });

    it('a check that never settles (and ignores its abort signal) is given up at its deadline', async () => {
      let calls = 0;
      const stuck = () => (++calls === 1 ? Promise.resolve(true) : new Promise<boolean>(() => {}));
      const { sc, clock } = client({ reachable: stuck });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => sc.asksFirst, 5000, 'the HTTP check made while connected');
      proxy.refuse();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      clock.advance(2000);
      await until(() => calls === 2 && clock.scheduled.length === 1 && clock.scheduled[0] > 1000, 5000, 'the retry asking, its deadline pending');
      clock.advance(clock.scheduled[0]);
      await until(() => clock.scheduled.length === 1 && clock.scheduled[0] <= 1000, 5000, 'the next retry scheduled after the deadline');
      assert.equal(sc.state, 'reconnecting');
    });

    it('where HTTP does not answer while connected (a page whose CSP forbids it), reconnects open WebSockets as before', async () => {
      const { Counting, opened } = countingWebSocket();
      let asked = 0;
      const refused = () => { asked++; return Promise.resolve(false); };
      const { sc, clock } = client({ WebSocket: Counting as never, reachable: refused });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => asked === 1, 5000, 'the HTTP check made while connected');
      await new Promise((r) => setTimeout(r, 20)); // its answer (false) is in
      assert.equal(sc.asksFirst, false);
      proxy.refuse();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      for (let i = 0; i < 3; i++) {
        const before = opened.count;
        clock.advance(2000);
        await until(() => opened.count > before && clock.scheduled.length === 1 && clock.scheduled[0] <= 1000, 5000, `retry ${i} opened a WebSocket, refused, and scheduled the next`);
      }
      assert.equal(asked, 1, 'asked once, while connected; never while reconnecting');
      proxy.heal();
      clock.advance(2000);
      await until(() => sc.state === 'connected', 5000, 'connected again');
    });

    it('an HTTP request that hangs (a black-holed relay) is given up after the open timeout, and the next retry is scheduled', async () => {
      const { reachable, asked } = httpCheck();
      const { sc, clock } = client({ reachable });
      sc.connect();
      await nextEvent(sc, 'synced');
      await until(() => sc.asksFirst, 5000, 'the HTTP check made while connected');
      proxy.blackhole();
      proxy.cut();
      await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
      clock.advance(2000);
      await until(() => asked.count === 2, 5000, 'the retry asked over HTTP');
      assert.equal(clock.scheduled.length, 1, 'only the open timeout is pending');
      clock.advance(clock.scheduled[0]);
      await until(() => clock.scheduled.length === 1 && clock.scheduled[0] <= 1000, 5000, 'the next retry scheduled after the timeout');
      assert.equal(asked.count, 2);
      assert.equal(sc.state, 'reconnecting');
    });
  });

  it('backs off with full jitter: ≤250 ms, then 1 s doubling, capped at 30 s (the seeds\' curve, without the fast window)', async () => {
    proxy.refuse();
    const { sc, clock } = client({ random: () => 0.999999, openTimeoutMs: 10_000, backoff: { fastForMs: 0 } as never });
    sc.connect();
    const retries: number[] = [];
    for (let i = 0; i < 8; i++) {
      await until(() => clock.scheduled.some((d) => d !== 10_000), 5000, `retry ${i} scheduled`);
      const delay = clock.scheduled.find((d) => d !== 10_000)!;
      retries.push(delay);
      clock.advance(delay);
    }
    assert.deepEqual(retries, [249, 999, 1999, 3999, 7999, 15999, 29999, 29999]);
    assert.equal(sc.state, 'connecting');
  });

  it('keeps retries within 2 s for the first two minutes of an outage, then grows to the 30 s cap', async () => {
    proxy.refuse();
    const { sc, clock } = client({ random: () => 0.999999, openTimeoutMs: 10_000 });
    const start = clock.now();
    sc.connect();
    const retries: Array<[number, number]> = [];
    while (retries.length < 200 && (retries.at(-1)?.[1] ?? 0) < 29_999) {
      await until(() => clock.scheduled.some((d) => d !== 10_000), 5000, `retry ${retries.length} scheduled`);
      const delay = clock.scheduled.find((d) => d !== 10_000)!;
      retries.push([clock.now() - start, delay]);
      clock.advance(delay);
    }
    assert.deepEqual(retries.slice(0, 4).map(([, d]) => d), [249, 999, 1999, 1999]);
    const inWindow = retries.filter(([at]) => at < 120_000);
    assert.ok(inWindow.length > 50 && inWindow.every(([, d]) => d <= 1999), `within 2 minutes every retry waits ≤ 2 s: ${JSON.stringify(inWindow.slice(-3))}`);
    const [at, delay] = retries.at(-1)!;
    assert.ok(at >= 120_000 && delay === 29_999, `after the window the seeds' 30 s cap applies (${at} ms: ${delay})`);
    assert.equal(sc.state, 'connecting');
  });

  it('a peer saying the relay is back makes a waiting retry run within 300 ms', async () => {
    proxy.refuse();
    const { sc, clock } = client({ random: () => 0.999999, openTimeoutMs: 10_000, backoff: { fastForMs: 0 } as never });
    sc.connect();
    for (let i = 0; i < 5; i++) {
      await until(() => clock.scheduled.some((d) => d !== 10_000), 5000, `retry ${i} scheduled`);
      clock.advance(clock.scheduled.find((d) => d !== 10_000)!);
    }
    await until(() => clock.scheduled.includes(15_999), 5000, 'a 16 s wait');
    proxy.heal();
    sc.relayIsBack();
    assert.ok(clock.scheduled.includes(299), `the retry now waits 299 ms: ${clock.scheduled}`);
    sc.relayIsBack(); // a second hint does not push it out again
    assert.equal(clock.scheduled.filter((d) => d === 299).length, 1);
    clock.advance(299);
    await until(() => sc.state === 'connected', 5000, 'connected');
  });

  it('gives up after maxAttempts with a typed signaling-failed error', async () => {
    proxy.refuse();
    const { sc, clock } = client({ maxAttempts: 2, openTimeoutMs: 10_000 });
    const failed = nextEvent<Error & { code: string }>(sc, 'error');
    sc.connect();
    for (let i = 0; i < 3 && sc.state !== 'failed'; i++) {
      await until(() => clock.scheduled.some((d) => d !== 10_000) || sc.state === 'failed', 5000, 'retry or failure');
      const delay = clock.scheduled.find((d) => d !== 10_000);
      if (delay !== undefined) clock.advance(delay);
    }
    assert.equal((await failed).code, 'signaling-failed');
    assert.equal(sc.state, 'failed');
    assert.equal(clock.pending, 0, 'no timer left running');
  });

  it('stops for good when the relay refuses the join (name-taken), without retrying', async () => {
    const room = `sc-${++roomNo}`;
    const holder = await WsClient.connect(relay.wsUrl);
    owned.push({ close: () => holder.terminate() });
    await holder.join(room, 'Ada');
    const { sc, clock } = client({ room, name: 'ADA' });
    const err = nextEvent<{ code: string }>(sc, 'error');
    sc.connect();
    assert.equal((await err).code, 'name-taken');
    assert.equal(sc.state, 'failed');
    assert.equal(clock.pending, 0);
  });

  it('a relay that beats (every 2 s by default) is given up after 4 s of silence, not after the 30 s ping timeout', async () => {
    const { sc, clock, states } = client();
    sc.connect();
    await nextEvent(sc, 'synced');
    proxy.blackhole();
    clock.advance(3500);
    assert.equal(sc.state, 'connected', 'not yet two beat intervals');
    clock.advance(1200); // 4.7 s: 4 s of silence, noticed at the next check (every 667 ms)
    assert.equal(sc.state, 'reconnecting', 'a black-holed relay is noticed within 4.7 s');
    proxy.heal();
    clock.advance(250);
    await until(() => sc.state === 'connected', 5000, 'connected again');
    assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('the relay\'s beats keep a healthy idle client connected, whatever its own ping timers do', async () => {
    const beating = new RelayServer({ port: 0, heartbeatMs: 100 }, { log: quiet });
    await beating.listen();
    try {
      // Pings every 10 s (never within this test): only the relay's beats show it is alive.
      const { sc, clock } = client({ urls: [beating.wsUrl] });
      sc.connect();
      await nextEvent(sc, 'synced');
      // 40 steps of 20 ms client time over 2 s of real time: 800 ms > the 200 ms silence limit.
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
        clock.advance(20);
        assert.equal(sc.state, 'connected', `still connected after ${(i + 1) * 20} ms of client time`);
      }
    } finally {
      await beating.close();
    }
  });

  it('finds a half-open socket by its silence and reconnects once the path heals', async () => {
    const { sc, clock } = client({ pingIntervalMs: 1000, pingTimeoutMs: 3000 });
    sc.connect();
    await nextEvent(sc, 'synced');
    proxy.blackhole();
    // Nothing is closed: only the heartbeat can notice.
    clock.advance(3000);
    assert.equal(sc.state, 'reconnecting');
    proxy.heal();
    clock.advance(250);
    await until(() => sc.state === 'connected', 5000, 'connected again');
  });

  it('retries at once when the browser reports it is online again', async () => {
    const net = new EventTarget();
    const { sc, clock } = client({ networkEvents: net });
    sc.connect();
    await nextEvent(sc, 'synced');
    proxy.refuse();
    proxy.cut();
    await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
    // Keep failing until the backoff has grown.
    for (let i = 0; i < 4; i++) {
      const delay = await until(() => clock.scheduled.find((d) => d !== 10_000), 5000, 'retry');
      clock.advance(delay);
      await until(() => clock.scheduled.some((d) => d !== 10_000), 5000, 'next retry');
    }
    proxy.heal();
    net.dispatchEvent(new Event('online'));
    await until(() => sc.state === 'connected', 5000, 'connected right after online');
  });

  it('retries at once when the page becomes visible again, and probes a live socket', async () => {
    const target = new EventTarget();
    let visible = false;
    const { sc, clock } = client({ visibility: { target, visible: () => visible } });
    sc.connect();
    await nextEvent(sc, 'synced');
    proxy.refuse();
    proxy.cut();
    await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
    for (let i = 0; i < 3; i++) {
      const delay = await until(() => clock.scheduled.find((d) => d !== 10_000), 5000, 'retry');
      clock.advance(delay);
      await until(() => clock.scheduled.some((d) => d !== 10_000), 5000, 'next retry');
    }
    proxy.heal();
    target.dispatchEvent(new Event('visibilitychange')); // still hidden: nothing happens
    assert.equal(sc.state, 'reconnecting');
    visible = true;
    target.dispatchEvent(new Event('visibilitychange'));
    await until(() => sc.state === 'connected', 5000, 'connected right after becoming visible');
    // Visible again while connected: a probe that a black-holed socket would fail.
    proxy.blackhole();
    target.dispatchEvent(new Event('visibilitychange'));
    clock.advance(5000);
    assert.equal(sc.state, 'reconnecting', 'the probe found the dead socket');
  });

  it('resends unacknowledged publishes after a reconnect; the relay stores each once', async () => {
    const room = `sc-${++roomNo}`;
    const watcher = await WsClient.connect(relay.wsUrl);
    owned.push({ close: () => watcher.terminate() });
    await watcher.join(room, 'Watcher');
    const { sc, clock, outbox } = client({ room });
    sc.connect();
    await nextEvent(sc, 'synced');
    // The publishes reach the relay, which stores and fans them out; its acknowledgements are lost.
    proxy.blackhole('replies');
    for (let n = 1; n <= 3; n++) { outbox.add(n, { n }, 0); sc.publish(); }
    await watcher.next((f) => f.type === 'message' && f.n === 3);
    assert.equal(outbox.size, 3, 'nothing acknowledged yet');
    const duplicatesBefore = relay.metrics.duplicatePublishes;
    proxy.cut();
    proxy.heal();
    await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
    clock.advance(250);
    await until(() => outbox.size === 0, 5000, 'outbox drained');
    // All three were published again, and the relay recognised each as already stored.
    assert.equal(relay.metrics.duplicatePublishes - duplicatesBefore, 3, 'the resends reached the relay');
    const pong = watcher.type('pong');
    watcher.send({ type: 'ping', t: 1 }); // a round trip after the resends: anything they fanned out is in by now
    await pong;
    const got = watcher.all('message').map((m) => m.n);
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(outbox.ackedN, 3);
  });

  it('asks to resume from the last sequence it saw and receives only what it missed', async () => {
    const room = `sc-${++roomNo}`;
    const other = await WsClient.connect(relay.wsUrl);
    owned.push({ close: () => other.terminate() });
    await other.join(room, 'Other');
    const { sc, clock, frames } = client({ room });
    sc.connect();
    await nextEvent(sc, 'synced');
    other.send({ type: 'publish', n: 1, data: 'before', sentAt: 0 });
    await until(() => frames.some((f) => f.type === 'message'), 5000, 'first message');
    proxy.cut();
    proxy.refuse();
    await until(() => sc.state === 'reconnecting', 5000, 'reconnecting');
    other.send({ type: 'publish', n: 2, data: 'while away', sentAt: 0 });
    await other.type('ack');
    proxy.heal();
    const synced = nextEvent<{ replayed: number; unavailable: number }>(sc, 'synced');
    clock.advance(250);
    const s = await synced;
    assert.equal(s.replayed, 1);
    assert.equal(s.unavailable, 0);
    const data = frames.filter((f): f is MessageFrame => f.type === 'message').map((m) => m.data);
    assert.deepEqual(data, ['before', 'while away']);
  });

  it('close() is idempotent and leaves no timer or socket behind', async () => {
    const { sc, clock, identity } = client();
    sc.connect();
    await nextEvent(sc, 'synced');
    sc.close();
    sc.close();
    assert.equal(sc.state, 'closed');
    assert.equal(clock.pending, 0);
    await until(() => relay.getRoom(identity.room)?.members.get(identity.peerId)?.socket === null, 5000, 'relay saw the close');
  });

  it('leave() tells the others at once', async () => {
    const room = `sc-${++roomNo}`;
    const other = await WsClient.connect(relay.wsUrl);
    owned.push({ close: () => other.terminate() });
    await other.join(room, 'Other');
    const { sc, identity } = client({ room });
    sc.connect();
    await nextEvent(sc, 'synced');
    sc.leave(identity.session);
    const left = await other.type('peer-left');
    assert.equal(left.reason, 'leave');
    assert.equal(sc.state, 'closed');
  });

  it('a burst of signals past the relay\'s set-up budget waits in the client, in order, instead of being dropped at the relay', { timeout: 30_000 }, async () => {
    // A room of 50: a newcomer's 12 set-up frames per member, and 100 more than the relay's burst takes at once.
    const big = new RelayServer({ port: 0, maxMembers: 50 }, { log: quiet });
    await big.listen();
    owned.push({ close: () => void big.close() });
    const room = `sc-${++roomNo}`;
    const other = await WsClient.connect(big.wsUrl);
    owned.push({ close: () => other.terminate() });
    await other.join(room, 'Other');
    const { sc, frames } = client({ room, urls: [big.wsUrl], clock: systemClock });
    sc.connect();
    await nextEvent(sc, 'synced');
    const count = 700;
    for (let i = 0; i < count; i++) {
      assert.equal(sc.sendNow({ type: 'signal', to: other.peerId, toSession: other.session, data: { kind: 'candidate', gen: i, candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } } }), true);
    }
    await other.next(() => other.all('signal').length === count, 20_000, `${count} signals`);
    assert.deepEqual(other.all('signal').map((f) => (f.data as { gen: number }).gen), Array.from({ length: count }, (_, i) => i), 'all of them, in order');
    assert.deepEqual(frames.filter((f) => f.type === 'error'), [], 'the relay refused none');
  });
});
