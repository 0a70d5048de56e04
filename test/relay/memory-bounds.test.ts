// Finding 3 of issue 15: what the relay keeps in memory is bounded by what it counts. A stored
// message costs about its JSON (not a parsed copy of its data as well), all rooms together stay
// under one byte budget, and one address cannot hold an unbounded number of sockets.
import { describe, it, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { eventually } from '../helpers/eventually.js';

const quiet = new Logger('silent');
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function upgradeStatus(url: string): Promise<{ status: number; ws: WebSocket | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0, ws: null }); res.resume(); });
    ws.on('error', () => {});
  });
}

describe('relay memory is bounded by what it counts', () => {
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  async function relay(opts: RelayOptionsInput) {
    const r = new RelayServer({ port: 0, ratePerSecond: 1e6, rateBurst: 1e6, ...opts }, { log: quiet });
    await r.listen();
    relays.push(r);
    return r;
  }
  async function client(r: RelayServer) {
    const c = await WsClient.connect(r.wsUrl);
    clients.push(c);
    return c;
  }
  afterEach(() => { for (const c of clients.splice(0)) c.terminate(); });
  after(async () => { for (const r of relays) await r.close(); });

  it('a stored message costs about its JSON, not a parsed copy of its data besides (8 MiB of [{},…])', async () => {
    const r = await relay({ replay: { maxMessages: 1000, maxBytes: 64 * 2 ** 20 }, maxSocketBufferBytes: 128 * 2 ** 20 });
    const a = await client(r);
    await a.join('heap', 'A');
    const data = Array.from({ length: 10_000 }, () => ({})); // 30 KB of JSON, 10,000 objects parsed
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 1; n <= 280; n++) a.send({ type: 'publish', n, data, sentAt: 1 });
    await a.next((f) => f.type === 'ack' && f.n === 280, 20_000);
    a.frames.length = 0;
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    const counted = r.backend.stats().bufferBytes;
    assert.ok(counted > 8 * 2 ** 20, `counted ${counted}`);
    assert.ok(grown < 2 * counted, `heap grew ${(grown / 2 ** 20).toFixed(1)} MiB for ${(counted / 2 ** 20).toFixed(1)} MiB counted`);
  });

  it('all rooms together stay under maxBufferBytes; the oldest messages of the relay go first', async () => {
    const r = await relay({ maxBufferBytes: 100_000 });
    for (const room of ['b1', 'b2', 'b3']) {
      const c = await client(r);
      await c.join(room, 'A');
      for (let n = 1; n <= 10; n++) c.send({ type: 'publish', n, data: 'x'.repeat(9_998), sentAt: 1 });
      await c.next((f) => f.type === 'ack' && f.n === 10);
    }
    assert.ok(r.backend.stats().bufferBytes <= 100_000, `held ${r.backend.stats().bufferBytes}`);
    const late1 = await client(r);
    const { synced: s1 } = await late1.join('b1', 'Late');
    assert.equal(s1.replayed, 0, 'the oldest room\'s history went first');
    const late3 = await client(r);
    const { synced: s3 } = await late3.join('b3', 'Late');
    assert.equal(s3.replayed, 10, 'the newest room keeps its own');
  });

  it('refuses more open sockets from one address than maxConnectionsPerAddress (429), and counts closed ones out', async () => {
    const r = await relay({ maxConnectionsPerAddress: 3 });
    const open: Array<{ status: number; ws: WebSocket | null }> = [];
    for (let i = 0; i < 3; i++) open.push(await upgradeStatus(r.wsUrl));
    assert.deepEqual(open.map((o) => o.status), [101, 101, 101]);
    assert.equal((await upgradeStatus(r.wsUrl)).status, 429);
    const closed = new Promise((res) => open[0].ws!.once('close', res));
    open[0].ws!.close();
    await closed;
    const again = await eventually(async () => ((u) => (u.status === 101 ? u : null))(await upgradeStatus(r.wsUrl)), 5000, 'a free slot again');
    for (const o of [...open, again]) o.ws?.terminate();
  });
});
