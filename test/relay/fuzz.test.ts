import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';
import { fuzzFrames } from '../helpers/fuzz-frames.js';
import type { MessageFrame } from '../../core/protocol.js';

const quiet = new Logger('silent');

describe('relay under fuzzing', () => {
  let relay: RelayServer;
  after(() => relay?.close());

  it('survives 10,000 hostile frames from several sockets while a normal room chats, losing nothing, memory bounded', async () => {
    // Limits high enough that the frames are parsed and judged rather than just rate-limited.
    relay = new RelayServer({ port: 0, ratePerSecond: 1e6, rateBurst: 1e6, maxStrikes: 1e7, connectionBurst: 1e4 }, { log: quiet });
    await relay.listen();
    const [a, b] = [await WsClient.connect(relay.wsUrl), await WsClient.connect(relay.wsUrl)];
    await a.join('normal', 'A');
    await b.join('normal', 'B');
    // The heap bound means something only after real collections: npm test runs node with --expose-gc.
    assert.equal(typeof global.gc, 'function', 'run with node --expose-gc (test/run-inside.sh does)');
    global.gc!();
    const heapBefore = process.memoryUsage().heapUsed;

    const protoKeys = () => [Object.prototype, Array.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join());
    const protoBefore = protoKeys();
    const seed = Number(process.env.FUZZ_SEED ?? 7);
    const sockets = await Promise.all(Array.from({ length: 6 }, () => WsClient.connect(relay.wsUrl)));
    const gens = sockets.map((_, i) => fuzzFrames(seed + i));
    let sent = 0;
    let chat = 0;
    while (sent < 10_000) {
      for (const [i, s] of sockets.entries()) {
        if (s.ws.readyState !== s.ws.OPEN) {
          sockets[i] = await WsClient.connect(relay.wsUrl); // closed for a good reason (e.g. replaced): reconnect
          continue;
        }
        const f = gens[i]();
        s.ws.send(f.data, { binary: f.binary });
        sent++;
      }
      if (sent % 200 < 6) a.send({ type: 'publish', n: ++chat, data: { chat }, sentAt: 0 });
      if (sent % 1000 < 6) await new Promise((r) => setImmediate(r)); // let the relay breathe; no timing involved
    }
    a.send({ type: 'publish', n: ++chat, data: { chat }, sentAt: 0 });
    await b.next((f) => f.type === 'message' && f.n === chat, 20_000);
    assert.deepEqual(b.all('message').map((m) => m.n), Array.from({ length: chat }, (_, i) => i + 1), 'the normal room lost nothing');
    assert.equal(b.all('error').length, 0);
    const health = await fetch(relay.httpUrl + '/healthz');
    assert.equal(health.status, 200, 'still up');
    for (const s of sockets) s.terminate();
    a.terminate();
    b.terminate();
    global.gc!();
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MiB`);
    // The fuzz sends "__proto__" and "constructor" keys in every kind of frame: nothing leaked into a prototype.
    assert.deepEqual(protoKeys(), protoBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    assert.ok(sent >= 10_000);
  });

  it('__proto__, constructor and prototype in every field pollute nothing and are plain names, rooms and data', async () => {
    relay?.close();
    relay = new RelayServer({ port: 0 }, { log: quiet });
    await relay.listen();
    const protoKeys = () => [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join());
    const before = protoKeys();
    const HOSTILE_JSON = [
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"a":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}',
      '[{"__proto__":{"polluted":1}}]',
    ];
    // Rooms and names that are also property names of every object.
    const rooms = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
    const members: WsClient[] = [];
    for (const room of rooms) {
      const [x, y] = [await WsClient.connect(relay.wsUrl), await WsClient.connect(relay.wsUrl)];
      members.push(x, y);
      await x.join(room, '__proto__');
      await y.join(room, 'constructor');
      // Raw frames, so the keys stay keys (an object literal's __proto__ would set a prototype instead).
      for (const [k, data] of HOSTILE_JSON.entries()) x.ws.send(`{"type":"publish","n":${k + 1},"data":${data},"sentAt":0}`);
      x.ws.send('{"type":"signal","to":"__proto__","toSession":"constructor","data":{"kind":"candidate","gen":0,"candidate":{"candidate":"","__proto__":{"polluted":1}}}}');
      x.ws.send('{"__proto__":{"type":"publish"},"type":"ping","t":1,"constructor":{"prototype":{"polluted":1}}}');
      const last = await y.next<MessageFrame>((f) => f.type === 'message' && f.n === HOSTILE_JSON.length);
      assert.equal(last.from, x.peerId);
      // Delivered as sent: the keys are data, byte for byte.
      assert.deepEqual(y.all('message').map((m) => JSON.stringify(m.data)), HOSTILE_JSON.map((j) => JSON.stringify(JSON.parse(j))), `room ${room}`);
      assert.deepEqual(relay.getRoom(room)?.members.size, 2, `room ${room} is an ordinary room of 2`);
    }
    // A member list per room, and nothing shared between them through a prototype.
    const state = await (await fetch(`${relay.httpUrl}/rooms/constructor/state`)).json() as { members: Array<{ name: string }> };
    assert.deepEqual(state.members.map((m) => m.name).sort(), ['__proto__', 'constructor']);
    assert.deepEqual(protoKeys(), before, 'no property was added to a built-in prototype');
    for (const o of [{}, [], Object.create(null) as object, () => 0]) {
      assert.equal((o as Record<string, unknown>).polluted, undefined);
      assert.equal((o as Record<string, unknown>).isAdmin, undefined);
    }
    assert.equal((await fetch(relay.httpUrl + '/healthz')).status, 200);
    for (const m of members) m.terminate();
  });
});
