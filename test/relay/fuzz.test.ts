import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';
import { fuzzFrames } from '../helpers/fuzz-frames.js';

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
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;

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
    global.gc?.();
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MiB`);
    assert.ok(sent >= 10_000);
  });
});
