import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';

describe('relay heartbeat', () => {
  let relay: RelayServer;
  const clients: WsClient[] = [];
  before(async () => {
    relay = new RelayServer({ port: 0, heartbeatMs: 60 }, { log: new Logger('silent') });
    await relay.listen();
  });
  after(async () => {
    for (const c of clients) c.terminate();
    await relay.close();
  });
  const connect = async () => {
    const c = await WsClient.connect(relay.wsUrl);
    clients.push(c);
    return c;
  };

  it('tells members its beat interval and beats an idle member; a socket that has not joined gets nothing', async () => {
    const idle = await connect();
    const { welcome } = await idle.join('hb-1', 'Ada');
    assert.equal(welcome.limits.heartbeatMs, 60);
    const stranger = await connect();
    const first = Date.now();
    await idle.type('beat', 2000);
    await idle.next((f) => f.type === 'beat' && Date.now() - first > 100, 2000, 'a later beat');
    assert.equal(stranger.all('beat').length, 0, 'no beats before a join');
  });

  it('does not beat a member that is sent other frames anyway', async () => {
    const busy = await connect();
    await busy.join('hb-2', 'Bob');
    const other = await connect();
    await other.join('hb-2', 'Cy');
    const beatsBefore = busy.all('beat').length;
    // Cy publishes every 20 ms for 400 ms: Bob receives a message frame far more often than every 60 ms.
    for (let n = 1; n <= 20; n++) {
      other.send({ type: 'publish', n, data: n, sentAt: Date.now() });
      await new Promise((r) => setTimeout(r, 20));
    }
    await busy.next((f) => f.type === 'message' && (f as { n: number }).n === 20, 2000, 'the last message');
    assert.ok(busy.all('beat').length - beatsBefore <= 1, `at most one beat while messages flow (${busy.all('beat').length - beatsBefore})`);
  });

  it('0 turns beats off; a negative interval is refused', async () => {
    const quiet = new RelayServer({ port: 0, heartbeatMs: 0 }, { log: new Logger('silent') });
    await quiet.listen();
    try {
      const c = await WsClient.connect(quiet.wsUrl);
      clients.push(c);
      const { welcome } = await c.join('hb-3', 'Di');
      assert.equal(welcome.limits.heartbeatMs, undefined);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(c.all('beat').length, 0);
    } finally {
      await quiet.close();
    }
    assert.throws(() => new RelayServer({ heartbeatMs: -1 }), /heartbeatMs/);
  });
});
