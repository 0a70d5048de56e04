import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { eventually } from '../helpers/eventually.js';

const quiet = new Logger('silent');

describe('several relay nodes sharing rooms through Redis', () => {
  const redis = new RedisProcess();
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  let roomNo = 0;
  const room = () => `shared-${++roomNo}`;

  async function node(opts: RelayOptionsInput = {}) {
    const r = new RelayServer({ port: 0, redis: redis.url, graceMs: 2000, nodeTtlMs: 1500, ...opts }, { log: quiet });
    await r.listen();
    relays.push(r);
    return r;
  }
  async function client(r: RelayServer) {
    const c = await WsClient.connect(r.wsUrl);
    clients.push(c);
    return c;
  }

  before(() => redis.start());
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });
  after(async () => {
    for (const r of relays) await r.close();
    await redis.kill();
  });

  it('members on two nodes see each other, and names stay unique across nodes', async () => {
    const [n1, n2] = [await node(), await node()];
    const id = room();
    const a = await client(n1);
    await a.join(id, 'Ada');
    const b = await client(n2);
    const { welcome } = await b.join(id, 'Bob');
    assert.deepEqual(welcome.members.map((m) => m.name), ['Ada']);
    assert.equal((await a.type('peer-joined')).member.name, 'Bob');
    const dup = await client(n2);
    dup.send(dup.joinFrame(id, 'ADA'));
    assert.equal((await dup.type('error')).code, 'name-taken');
  });

  it('fans messages out across nodes in one sequence and acknowledges them', async () => {
    const [n1, n2] = [await node(), await node()];
    const id = room();
    const [a, b, c] = [await client(n1), await client(n2), await client(n2)];
    await a.join(id, 'A');
    await b.join(id, 'B');
    await c.join(id, 'C');
    for (let n = 1; n <= 5; n++) a.send({ type: 'publish', n, data: { n }, sentAt: 1 });
    b.send({ type: 'publish', n: 1, data: 'from b', sentAt: 1 });
    await a.next((f) => f.type === 'ack' && f.n === 5);
    await c.next((f) => f.type === 'message' && f.from === b.peerId);
    await c.next((f) => f.type === 'message' && f.n === 5 && f.from === a.peerId);
    const seqs = c.all('message').map((m) => m.seq);
    assert.deepEqual([...seqs].sort((x, y) => x - y), seqs, 'in sequence order');
    assert.equal(new Set(seqs).size, 6);
    assert.deepEqual(b.all('message').map((m) => m.data), [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('routes a signal to the addressed member on another node only', async () => {
    const [n1, n2] = [await node(), await node()];
    const id = room();
    const [a, b, c] = [await client(n1), await client(n2), await client(n2)];
    await a.join(id, 'A');
    await b.join(id, 'B');
    await c.join(id, 'C');
    const data = { kind: 'candidate', gen: 0, candidate: { candidate: 'x', sdpMid: '0', sdpMLineIndex: 0 } };
    a.send({ type: 'signal', to: b.peerId, toSession: b.session, data });
    const got = await b.type('signal');
    assert.equal(got.from, a.peerId);
    c.send({ type: 'ping', t: 1 });
    await c.type('pong');
    assert.equal(c.all('signal').length, 0);
    a.send({ type: 'signal', to: 'nobody-nobody-nobody', toSession: 'nobody-nobody-nobody', data });
    assert.equal((await a.type('error')).code, 'unknown-peer');
  });

  it('a member resumes on another node and gets exactly what it missed', async () => {
    const [n1, n2] = [await node(), await node()];
    const id = room();
    const [a, b] = [await client(n1), await client(n1)];
    await a.join(id, 'A');
    const { welcome } = await b.join(id, 'B');
    a.send({ type: 'publish', n: 1, data: 'seen', sentAt: 1 });
    await b.next((f) => f.type === 'message' && f.n === 1);
    b.terminate();
    await a.type('peer-status');
    for (let n = 2; n <= 4; n++) a.send({ type: 'publish', n, data: `missed ${n}`, sentAt: 1 });
    await a.next((f) => f.type === 'ack' && f.n === 4);
    const b2 = await client(n2);
    Object.assign(b2, { peerId: b.peerId, key: b.key, session: b.session });
    const { welcome: w2, synced } = await b2.join(id, 'B', { resume: { epoch: welcome.epoch, lastSeq: 1 } });
    assert.equal(w2.resumed, true);
    assert.deepEqual(b2.all('message').map((m) => m.data), ['missed 2', 'missed 3', 'missed 4']);
    assert.equal(synced.unavailable, 0);
    const back = await a.next((f) => f.type === 'peer-status' && f.online);
    assert.equal(back.type, 'peer-status');
  });

  it('a dropped member is kept for the grace period, then announced as left, across nodes', async () => {
    const [n1, n2] = [await node(), await node()];
    const id = room();
    const [a, b] = [await client(n1), await client(n2)];
    await a.join(id, 'A');
    await b.join(id, 'B');
    b.terminate();
    assert.equal((await a.type('peer-status')).online, false);
    const left = await a.type('peer-left', 6000);
    assert.equal(left.reason, 'timeout');
  });

  it('keeps the room size limit across nodes', async () => {
    const [n1, n2] = [await node({ maxMembers: 2 }), await node({ maxMembers: 2 })];
    const id = room();
    await (await client(n1)).join(id, 'A');
    await (await client(n2)).join(id, 'B');
    const c = await client(n1);
    c.send(c.joinFrame(id, 'C'));
    assert.equal((await c.type('error')).code, 'room-full');
  });

  it('when Redis goes away: unhealthy, joins refused as unavailable; when it is back: healthy, and its sockets resume', async () => {
    const n1 = await node();
    const id = room();
    const a = await client(n1);
    await a.join(id, 'A');
    await redis.kill();
    await eventually(async () => (await fetch(n1.httpUrl + '/healthz')).status === 503, 10_000, 'unhealthy');
    const body = await (await fetch(n1.httpUrl + '/healthz')).json() as { status: string; store: string };
    assert.deepEqual([body.status, body.store], ['degraded', 'unavailable']);
    const late = await client(n1);
    late.send(late.joinFrame(id, 'Late'));
    assert.equal((await late.type('error')).code, 'unavailable');
    await redis.start();
    await eventually(async () => (await fetch(n1.httpUrl + '/healthz')).status === 200, 15_000, 'healthy again');
    assert.equal((await a.closed(10_000)).code, 1012, 'told to resume');
    // Resuming works (and Redis lost its data: a new epoch).
    const a2 = await client(n1);
    Object.assign(a2, { peerId: a.peerId, key: a.key, session: a.session });
    const { synced } = await a2.join(id, 'A', { resume: { epoch: 'old', lastSeq: 3 } });
    assert.equal(synced.epochChanged, true);
  });
});
