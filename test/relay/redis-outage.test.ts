// Finding 2 of issue 15: Redis trouble must not leave ghosts or hangs. A socket that closes while
// Redis is unreachable ends in a grace period once it is back; a room nobody touches expires; a
// frozen Redis (SIGSTOP) makes joins fail fast and /healthz say so.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually } from '../helpers/eventually.js';

const quiet = new Logger('silent');
const health = async (r: RelayServer) => (await fetch(r.httpUrl + '/healthz')).status;

describe('Redis outages leave no ghost and no hang', () => {
  const redis = new RedisProcess();
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  const proxies: TcpProxy[] = [];
  let roomNo = 0;
  const room = () => `outage-${++roomNo}`;
  async function node(opts: RelayOptionsInput = {}) {
    const r = new RelayServer({ port: 0, redis: redis.url, graceMs: 400, nodeTtlMs: 900, redisTimeoutMs: 2000, ...opts }, { log: quiet });
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
  afterEach(async () => {
    redis.thaw();
    for (const c of clients.splice(0)) c.terminate();
    for (const r of relays.splice(0)) await r.close();
    for (const p of proxies.splice(0)) await p.close();
    // Each test starts from an empty Redis.
    const flush = new Redis(redis.url, { lazyConnect: true });
    await flush.connect();
    await flush.flushall();
    flush.disconnect();
  });
  after(() => redis.kill());

  it('a socket that closes while Redis is unreachable goes offline, then leaves, once Redis is back', async () => {
    const proxy = new TcpProxy(redis.port);
    proxies.push(proxy);
    await proxy.listen();
    const r = await node({ redis: `redis://127.0.0.1:${proxy.port}`, graceMs: 1500 });
    const id = room();
    const [a, b] = [await client(r), await client(r)];
    await a.join(id, 'A');
    await b.join(id, 'B');
    proxy.refuse();
    proxy.cut();
    await eventually(async () => (await health(r)) === 503, 5000, 'the relay notices');
    b.terminate(); // its OFFLINE cannot reach Redis
    await new Promise((res) => setTimeout(res, 200));
    proxy.heal();
    await eventually(async () => (await health(r)) === 200, 10_000, 'healthy again');
    const state = async () => (await r.backend.view(id).catch(() => ({ members: [{ name: 'B', online: 'unknown' }] })))?.members.find((m) => m.name === 'B');
    await eventually(async () => (await state())?.online === false, 5000, 'B offline after the outage');
    await eventually(async () => (await state()) === undefined, 5000, 'B gone after its grace period');
  });

  it('a room nobody touches any more expires and stops counting against max-rooms', async () => {
    const r = await node({ maxRooms: 1, graceMs: 200, nodeTtlMs: 300 });
    const ghostRoom = room();
    const ghost = await client(r);
    await eventually(() => r.backend.healthy, 5000, 'the relay reaches Redis');
    await ghost.join(ghostRoom, 'Ghost');
    // A bug (or a lost notification) makes the node forget the socket without telling Redis:
    // the member stays "online" on a live node, and nothing would ever remove it.
    (r.backend as unknown as { rooms: Map<string, unknown> }).rooms.delete(ghostRoom);
    ghost.terminate();
    const other = await client(r);
    other.send(other.joinFrame(room(), 'Other'));
    assert.equal((await other.type('error')).code, 'too-many-rooms', 'the ghost room counts for now');
    await eventually(async () => (await r.backend.view(ghostRoom)) === null, 8000, 'the ghost room expires');
    const late = await client(r);
    late.send(late.joinFrame(room(), 'Late'));
    const first = await late.next((f) => f.type === 'welcome' || f.type === 'error');
    assert.equal(first.type, 'welcome', JSON.stringify(first));
  });

  it('with Redis frozen, joins fail fast with unavailable and /healthz says 503; thawed, all is well', async () => {
    const r = await node({ redisTimeoutMs: 300 });
    const id = room();
    const a = await client(r);
    await a.join(id, 'A');
    redis.freeze();
    const b = await client(r);
    b.send(b.joinFrame(id, 'B'));
    assert.equal((await b.type('error', 5000)).code, 'unavailable', 'not a hang');
    await eventually(async () => (await health(r)) === 503, 5000, '/healthz says the store is away');
    redis.thaw();
    await eventually(async () => (await health(r)) === 200, 5000, 'healthy again');
    const c = await client(r);
    const { welcome } = await c.join(id, 'C');
    assert.ok(welcome.members.some((m) => m.name === 'A' && m.online));
  });

  // Found by the model-based test (room-model.test.ts): a command timed out during a Redis
  // restart, and the node, counting Redis as stalled rather than disconnected, never asked its
  // sockets to resume — they would have missed everything published while Redis was away.
  it('after Redis stalls and then restarts, this node\'s sockets are asked to resume (1012)', async () => {
    const r = await node({ redisTimeoutMs: 300 });
    const a = await client(r);
    await a.join(room(), 'A');
    redis.freeze();
    await eventually(async () => (await health(r)) === 503, 5000, 'a command timed out');
    await redis.restart();
    assert.equal((await a.closed(10_000)).code, 1012);
    await eventually(async () => (await health(r)) === 200, 10_000, 'healthy again');
  });

  // Found by the room-model soak: a member who joined in the moment after Redis came back (while
  // this node was still sending its heartbeat and reconciling) was sent away with 1012 as if it
  // had been there during the outage, and went offline in Redis. Redis answers this node's
  // heartbeat slowly here, which holds that moment open.
  it('a member who joins just after Redis is back is not asked to resume', async () => {
    const proxy = new TcpProxy(redis.port);
    proxies.push(proxy);
    await proxy.listen();
    // Heartbeats 20 s apart: the one sent when Redis is back is the one that reconciles.
    const r = await node({ redis: `redis://127.0.0.1:${proxy.port}`, nodeTtlMs: 60_000 });
    const admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    const nodeKey = `mesh:node:${(r.backend as { nodeId?: string }).nodeId}`;
    await eventually(async () => (await admin.exists(nodeKey)) === 1, 5000, 'the first heartbeat');
    admin.disconnect();
    // The node's commands are answered in order: a few round trips later its start (heartbeat,
    // reconcile) is over, and the outage below is one of its own.
    for (let i = 0; i < 3; i++) await r.backend.view('nothing-here');
    proxy.refuse();
    proxy.cut();
    await eventually(async () => (await health(r)) === 503, 5000, 'the relay notices');
    await redis.restart();
    proxy.heal();
    proxy.slowReplies(500, "'mesh:nodes', node"); // the heartbeat script
    await eventually(() => r.backend.healthy, 10_000, 'the relay reaches Redis again');
    const id = room();
    const bob = await client(r);
    await bob.join(id, 'Bob');
    bob.send({ type: 'publish', n: 1, data: 'hi', sentAt: 1 });
    // The ack comes after the node's heartbeat and reconcile (same connection, in order).
    await eventually(() => bob.closeInfo ?? bob.all('ack').find((f) => f.n === 1), 5000, 'an ack or a close');
    assert.equal(bob.closeInfo, null, 'Bob joined after Redis was back: nothing to resume');
    const view = await r.backend.view(id);
    assert.deepEqual(view?.members.map((m) => [m.name, m.online]), [['Bob', true]]);
  });
});
