import { describe, it, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { until } from '../helpers/wait.js';

const quiet = new Logger('silent');

describe('replay and resume', () => {
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  async function relay(opts: RelayOptionsInput = {}) {
    const r = new RelayServer({ port: 0, ...opts }, { log: quiet });
    await r.listen();
    relays.push(r);
    return r;
  }
  async function client(r: RelayServer) {
    const c = await WsClient.connect(r.wsUrl);
    clients.push(c);
    return c;
  }
  async function publish(c: WsClient, from: number, to: number, data: (n: number) => unknown = (n) => n) {
    for (let n = from; n <= to; n++) c.send({ type: 'publish', n, data: data(n), sentAt: 1 });
    await c.next((f) => f.type === 'ack' && f.n === to, 10_000);
  }
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });
  after(async () => {
    for (const r of relays) await r.close();
  });

  it('resumes from the last sequence seen: replays what was missed, then says so', async () => {
    const r = await relay();
    const [a, b] = [await client(r), await client(r)];
    await a.join('resume', 'A');
    const { welcome } = await b.join('resume', 'B');
    await publish(a, 1, 3);
    await b.next((f) => f.type === 'message' && f.n === 3);
    b.terminate();
    await publish(a, 4, 6);
    const b2 = await client(r);
    Object.assign(b2, { peerId: b.peerId, key: b.key, session: b.session });
    b2.send(b2.joinFrame('resume', 'B', { resume: { epoch: welcome.epoch, lastSeq: 3 } }));
    const w2 = await b2.type('welcome');
    const synced = await b2.type('synced');
    assert.equal(w2.resumed, true);
    assert.deepEqual(b2.all('message').map((m) => m.n), [4, 5, 6]);
    assert.equal(synced.replayed, 3);
    assert.equal(synced.unavailable, 0);
    assert.equal(synced.epochChanged, false);
    assert.ok(synced.disconnectedFor !== null && synced.disconnectedFor >= 0);
  });

  it('counts what the buffer no longer holds as unavailable (evicted by count)', async () => {
    const r = await relay({ replay: { maxMessages: 5 } });
    const a = await client(r);
    const { welcome } = await a.join('evict', 'A');
    await publish(a, 1, 12);
    const b = await client(r);
    const { synced } = await b.join('evict', 'B', { resume: { epoch: welcome.epoch, lastSeq: 2 } });
    assert.deepEqual(b.all('message').map((m) => m.n), [8, 9, 10, 11, 12]);
    assert.equal(synced.unavailable, 5, 'seq 3..7 were evicted');
  });

  it('replays the whole buffer to a client from another epoch and flags it', async () => {
    const r = await relay();
    const a = await client(r);
    await a.join('epoch', 'A');
    await publish(a, 1, 2);
    const b = await client(r);
    const { synced } = await b.join('epoch', 'B', { resume: { epoch: 'some-older-epoch', lastSeq: 40 } });
    assert.equal(synced.epochChanged, true);
    assert.deepEqual(b.all('message').map((m) => m.n), [1, 2]);
  });

  it('writes a long replay and keeps live messages after it, in sequence order', async () => {
    const r = await relay({ replay: { maxMessages: 5000, maxBytes: 64 * 1024 * 1024 }, maxSocketBufferBytes: 128 * 1024 * 1024, ratePerSecond: 1e6, rateBurst: 1e6 });
    const a = await client(r);
    await a.join('long', 'A');
    await publish(a, 1, 3000, (n) => ({ n, pad: 'x'.repeat(200) }));
    const b = await client(r);
    b.send(b.joinFrame('long', 'B'));
    await b.type('welcome');
    // Published while B's replay is being written.
    await publish(a, 3001, 3010);
    await b.next((f) => f.type === 'message' && f.n === 3010, 20_000);
    const seqs = b.frames.filter((f) => f.type === 'message' || f.type === 'synced').map((f) => (f.type === 'message' ? f.seq : 'synced'));
    assert.equal(seqs.indexOf('synced'), 3000, 'the replay comes first, then synced, then live');
    const nums = seqs.filter((s): s is number => s !== 'synced');
    assert.deepEqual(nums, Array.from({ length: 3010 }, (_, i) => i + 1));
  });

  it('frees a room and its buffer once the last member is gone (after the grace period)', async () => {
    const r = await relay({ graceMs: 100 });
    const a = await client(r);
    await a.join('cleanup', 'A');
    await publish(a, 1, 20, (n) => 'y'.repeat(100 + n));
    assert.ok(r.backend.stats().bufferBytes > 2000);
    a.terminate();
    await until(() => r.roomCount() === 0, 5000, 'room dropped');
    assert.equal(r.backend.stats().bufferBytes, 0);
    const metrics = await (await fetch(r.httpUrl + '/metrics')).text();
    assert.match(metrics, /^mesh_relay_rooms 0$/m);
    assert.match(metrics, /^mesh_relay_replay_buffer_bytes 0$/m);
  });

  it('evicts by age while the room lives', async () => {
    const r = await relay({ replay: { maxAgeMs: 150 } });
    const a = await client(r);
    await a.join('age', 'A');
    await publish(a, 1, 3);
    const state = async () => (await (await fetch(`${r.httpUrl}/rooms/age/state`)).json()) as { buffer: { messages: number } };
    assert.equal((await state()).buffer.messages, 3);
    const deadline = Date.now() + 5000;
    let held = 3;
    while (held > 0 && Date.now() < deadline) {
      held = (await state()).buffer.messages;
      if (held > 0) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(held, 0, 'messages older than 150 ms are gone');
  });

  describe('HTTP', () => {
    it('GET /rooms/:id/state shows members, last sequence, buffer and disconnect time', async () => {
      const r = await relay({ graceMs: 10_000 });
      const [a, b] = [await client(r), await client(r)];
      await a.join('st', 'Ada');
      await b.join('st', 'Bob');
      await publish(a, 1, 2);
      b.terminate();
      await a.type('peer-status');
      const res = await fetch(`${r.httpUrl}/rooms/st/state`);
      assert.equal(res.status, 200);
      const s = await res.json() as { lastSeq: number; buffer: { messages: number }; members: Array<{ name: string; online: boolean; disconnectedForMs: number | null; lastN: number }> };
      assert.equal(s.lastSeq, 2);
      assert.equal(s.buffer.messages, 2);
      const bob = s.members.find((m) => m.name === 'Bob')!;
      assert.equal(bob.online, false);
      assert.ok(bob.disconnectedForMs !== null && bob.disconnectedForMs >= 0);
      assert.equal(s.members.find((m) => m.name === 'Ada')!.lastN, 2);
      assert.equal((await fetch(`${r.httpUrl}/rooms/nope/state`)).status, 404);
      assert.equal((await fetch(`${r.httpUrl}/rooms/${'%ZZ'}/state`)).status, 400);
    });

    it('POST /rooms/:id/quality classifies a member\'s figures and keeps the latest', async () => {
      const r = await relay();
      const a = await client(r);
      await a.join('q', 'Ada');
      const post = (body: unknown, key = a.key) => fetch(`${r.httpUrl}/rooms/q/quality`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const fair = await post({ peer: a.peerId, latency_ms: 150, packet_loss_percent: 2.5, jitter_ms: 30, bandwidth_kbps: 5000 });
      assert.equal(fair.status, 200);
      const body = await fair.json() as { quality: string; recommendations: string[] };
      assert.equal(body.quality, 'fair', 'the seed\'s example is fair');
      assert.ok(body.recommendations.length > 0);
      assert.equal((await (await post({ peer: a.peerId, rttMs: 20, lossPercent: 0, jitterMs: 2 })).json() as { quality: string }).quality, 'good');
      assert.equal((await (await post({ peer: a.peerId, rttMs: 900 })).json() as { quality: string }).quality, 'poor');
      const state = await (await fetch(`${r.httpUrl}/rooms/q/state`)).json() as { members: Array<{ quality: { quality: string } }> };
      assert.equal(state.members[0].quality.quality, 'poor');
      assert.equal((await post({ peer: a.peerId, rttMs: 1 }, 'wrong-key')).status, 403);
      assert.equal((await post({ peer: a.peerId, rttMs: -5 })).status, 400);
      assert.equal((await post({ peer: a.peerId, lossPercent: 'lots' })).status, 400);
      const huge = await fetch(`${r.httpUrl}/rooms/q/quality`, { method: 'POST', body: 'x'.repeat(10_000) });
      assert.equal(huge.status, 413);
      const junk = await fetch(`${r.httpUrl}/rooms/q/quality`, { method: 'POST', body: '{not json' });
      assert.equal(junk.status, 400);
      assert.equal((await fetch(`${r.httpUrl}/rooms/q/quality`)).status, 405);
    });
  });
});
