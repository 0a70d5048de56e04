// Findings 7 and 8 of issue 15 on the Redis backend: input that passes validation must not break
// Redis (a lone surrogate made its JSON decoder reject the join, leaking a room entry and a
// subscription each time), and secrets never travel to Redis where MONITOR and SLOWLOG show them.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { createRoomToken } from '../../relay/room-token.js';
import { WsClient } from '../helpers/ws-client.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { eventually } from '../helpers/eventually.js';

const quiet = new Logger('silent');
const SECRET = 'a-long-enough-test-secret';

describe('Redis backend and hostile-but-valid input', () => {
  const redis = new RedisProcess();
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  let raw: Redis;
  before(async () => {
    await redis.start();
    raw = new Redis(redis.url, { lazyConnect: true });
    await raw.connect();
  });
  afterEach(() => { for (const c of clients.splice(0)) c.terminate(); });
  after(async () => {
    raw.disconnect();
    for (const r of relays) await r.close();
    await redis.kill();
  });
  async function node(secret: string | null = null) {
    const r = new RelayServer({ port: 0, redis: redis.url, secret }, { log: quiet });
    await r.listen();
    relays.push(r);
    return r;
  }
  async function client(r: RelayServer) {
    const c = await WsClient.connect(r.wsUrl);
    clients.push(c);
    return c;
  }

  it('a lone UTF-16 surrogate in any join string is refused as invalid and leaks nothing', async () => {
    const r = await node();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'Ada\ud800' }, 'invalid-name'],
      [{ name: '\udc00' }, 'invalid-name'],
      [{ resume: { epoch: 'ep\ud800', lastSeq: 0 } }, 'invalid-field'],
      [{ token: 'tok\udfff' }, 'invalid-field'],
    ];
    for (const [extra, code] of cases) {
      for (let i = 0; i < 3; i++) {
        const c = await client(r);
        c.send(c.joinFrame(`surrogate-${i}`, 'Ada', extra));
        assert.equal((await c.type('error')).code, code, JSON.stringify(extra));
      }
    }
    assert.equal(r.backend.stats().rooms, 0, 'no local room entry left behind');
    assert.deepEqual(await raw.pubsub('CHANNELS', 'mesh:*'), [], 'no subscription left behind');
    const ok = await client(r);
    const { welcome } = await ok.join('surrogate-0', 'Ada');
    assert.equal(welcome.self.name, 'Ada');
  });

  it('neither the room token nor the member key reaches Redis (MONITOR shows neither)', async () => {
    const r = await node(SECRET);
    const seen: string[] = [];
    const monitor = await raw.duplicate().monitor();
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
    try {
      const token = createRoomToken(SECRET, { room: 'vip', ttlSeconds: 60 });
      const c = await client(r);
      await c.join('vip', 'Ada', { token });
      c.send({ type: 'publish', n: 1, data: 'hello', sentAt: 1 });
      await c.type('ack');
      await eventually(() => seen.some((l) => l.includes('hello')), 5000, 'MONITOR sees the traffic');
      const leaks = seen.filter((l) => l.includes(token) || l.includes(token.split('.')[1]) || l.includes(c.key));
      assert.deepEqual(leaks, []);
    } finally {
      monitor.disconnect();
    }
  });
});
