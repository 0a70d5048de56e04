// Finding 1 of issue 15: a member alone in a room comes back under a new peer id with the same
// name (a reload without stored identity). The room must stay one room — same epoch, same
// history, one sequence — on both backends, and leave no ghost behind.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { eventually } from '../helpers/eventually.js';

const quiet = new Logger('silent');

for (const backend of ['memory', 'redis'] as const) {
  describe(`same-name takeover of a lone member (${backend})`, () => {
    const redis = new RedisProcess();
    const relays: RelayServer[] = [];
    const clients: WsClient[] = [];
    let roomNo = 0;
    async function relay(opts: RelayOptionsInput = {}) {
      const r = new RelayServer({ port: 0, graceMs: 5000, ...(backend === 'redis' ? { redis: redis.url, nodeTtlMs: 1500 } : {}), ...opts }, { log: quiet });
      await r.listen();
      relays.push(r);
      return r;
    }
    async function client(r: RelayServer) {
      const c = await WsClient.connect(r.wsUrl);
      clients.push(c);
      return c;
    }
    before(async () => { if (backend === 'redis') await redis.start(); });
    afterEach(() => { for (const c of clients.splice(0)) c.terminate(); });
    after(async () => {
      for (const r of relays) await r.close();
      await redis.kill();
    });

    it('keeps one room: same epoch, the history, one sequence, and the newcomer sees the new member', async () => {
      const r = await relay();
      const room = `takeover-${backend}-${++roomNo}`;
      const ada = await client(r);
      const { welcome: first } = await ada.join(room, 'Ada');
      for (let n = 1; n <= 2; n++) ada.send({ type: 'publish', n, data: `before ${n}`, sentAt: 1 });
      await ada.next((f) => f.type === 'ack' && f.n === 2);
      ada.terminate();
      await eventually(async () => (await r.backend.view(room))?.members[0]?.online === false, 5000, 'Ada in her grace period');

      const ada2 = await client(r); // a reload: new peer id, same name
      const { welcome, synced } = await ada2.join(room, 'Ada');
      assert.equal(welcome.epoch, first.epoch, 'the same room, not a new one');
      assert.equal(welcome.seq, 2);
      assert.deepEqual(welcome.members, [], 'the old Ada was replaced');
      assert.deepEqual(ada2.all('message').map((m) => m.data), ['before 1', 'before 2']);
      assert.equal(synced.replayed, 2);

      const bob = await client(r);
      const { welcome: wb } = await bob.join(room, 'Bob');
      assert.equal(wb.epoch, first.epoch);
      assert.deepEqual(wb.members.map((m) => [m.id, m.name]), [[ada2.peerId, 'Ada']]);
      assert.deepEqual(bob.all('message').map((m) => m.data), ['before 1', 'before 2']);

      ada2.send({ type: 'publish', n: 1, data: 'after', sentAt: 1 });
      const got = await bob.next((f) => f.type === 'message' && f.data === 'after');
      assert.equal((got as { seq: number }).seq, 3, 'one sequence: no second message numbered 1');
      const view = await r.backend.view(room);
      assert.deepEqual(view!.members.map((m) => m.name).sort(), ['Ada', 'Bob']);
      assert.equal(view!.lastSeq, 3);
    });

    it('leaves no ghost: once everyone has left, the name is free and the room is gone', async () => {
      const r = await relay();
      const room = `ghost-${backend}-${++roomNo}`;
      const ada = await client(r);
      await ada.join(room, 'Ada');
      ada.terminate();
      await eventually(async () => (await r.backend.view(room))?.members[0]?.online === false, 5000, 'Ada in her grace period');
      const ada2 = await client(r);
      await ada2.join(room, 'Ada');
      ada2.send({ type: 'leave', session: ada2.session });
      await ada2.closed();
      await eventually(async () => (await r.backend.view(room)) === null, 5000, 'the room is gone');
      const ada3 = await client(r);
      const { welcome } = await ada3.join(room, 'Ada');
      assert.deepEqual(welcome.members, [], 'nobody holds the name');
    });
  });
}
