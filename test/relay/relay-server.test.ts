import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';

const quiet = new Logger('silent');

describe('RelayServer', () => {
  let relay: RelayServer;
  const clients: WsClient[] = [];
  const connect = async () => {
    const c = await WsClient.connect(relay.wsUrl);
    clients.push(c);
    return c;
  };
  let roomNo = 0;
  const freshRoom = () => `room-${++roomNo}`;

  before(async () => {
    relay = new RelayServer({ port: 0, graceMs: 300, maxMembers: 3 }, { log: quiet });
    await relay.listen();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });
  after(() => relay.close());

  describe('join', () => {
    it('welcomes the first member with an empty member list and an epoch', async () => {
      const a = await connect();
      const { welcome, synced } = await a.join(freshRoom(), 'Ada');
      assert.equal(welcome.self.id, a.peerId);
      assert.equal(welcome.self.name, 'Ada');
      assert.deepEqual(welcome.members, []);
      assert.equal(typeof welcome.epoch, 'string');
      assert.equal(welcome.resumed, false);
      assert.equal(synced.replayed, 0);
    });

    it('lists existing members to a newcomer and announces the newcomer to them', async () => {
      const room = freshRoom();
      const a = await connect();
      await a.join(room, 'Ada');
      const b = await connect();
      const { welcome } = await b.join(room, 'Bob');
      assert.deepEqual(welcome.members.map((m) => m.name), ['Ada']);
      const joined = await a.type('peer-joined');
      assert.equal(joined.member.id, b.peerId);
      assert.equal(joined.member.name, 'Bob');
      assert.equal(joined.member.online, true);
    });

    it('trims and normalises the name', async () => {
      const a = await connect();
      const { welcome } = await a.join(freshRoom(), '  Ada   Lovelace \t');
      assert.equal(welcome.self.name, 'Ada Lovelace');
    });
  });

  describe('names', () => {
    it('refuses a name already used in the room, ignoring case', async () => {
      const room = freshRoom();
      const a = await connect();
      await a.join(room, 'Ada');
      const b = await connect();
      b.send(b.joinFrame(room, 'ada'));
      const err = await b.type('error');
      assert.equal(err.code, 'name-taken');
      assert.equal((await b.closed()).code, 4001);
      assert.equal(relay.getRoom(room)!.members.size, 1);
      assert.equal(a.all('peer-joined').length, 0, 'the refused joiner is never announced');
    });

    it('allows the same name in another room', async () => {
      const a = await connect();
      await a.join(freshRoom(), 'Ada');
      const b = await connect();
      const { welcome } = await b.join(freshRoom(), 'Ada');
      assert.equal(welcome.self.name, 'Ada');
    });

    it('refuses empty names and names with control or bidi-override characters', async () => {
      for (const name of ['', '   ', 'a\u0000b', 'evil\u202Egnp.exe', 'x'.repeat(65)]) {
        const c = await connect();
        c.send(c.joinFrame(freshRoom(), name));
        const err = await c.type('error');
        assert.equal(err.code, 'invalid-name', `name ${JSON.stringify(name)}`);
      }
    });
  });

  describe('capacity', () => {
    it('refuses a member beyond the room limit with room-full and leaves the room as it was', async () => {
      const room = freshRoom();
      const members = [];
      for (const name of ['A', 'B', 'C']) {
        const c = await connect();
        await c.join(room, name);
        members.push(c);
      }
      const d = await connect();
      d.send(d.joinFrame(room, 'D'));
      assert.equal((await d.type('error')).code, 'room-full');
      assert.equal(relay.getRoom(room)!.members.size, 3);
      // The others still talk to each other.
      members[0].send({ type: 'publish', n: 1, data: 'still here', sentAt: 1 });
      const got = await members[1].type('message');
      assert.equal(got.data, 'still here');
    });
  });

  describe('signaling', () => {
    it('routes a signal to the addressed peer only, stamped with the sender', async () => {
      const room = freshRoom();
      const [a, b, c] = [await connect(), await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      await c.join(room, 'C');
      const data = { kind: 'description', gen: 0, description: { type: 'offer', sdp: 'v=0\r\n' } };
      a.send({ type: 'signal', to: b.peerId, toSession: b.session, data });
      const got = await b.type('signal');
      assert.equal(got.from, a.peerId);
      assert.equal(got.fromSession, a.session);
      assert.deepEqual(got.data, data);
      // C gets nothing: a ping round trip proves C's socket has caught up.
      c.send({ type: 'ping', t: 1 });
      await c.type('pong');
      assert.equal(c.all('signal').length, 0);
    });

    it('answers a signal to an unknown peer with unknown-peer', async () => {
      const a = await connect();
      await a.join(freshRoom(), 'A');
      a.send({ type: 'signal', to: 'x'.repeat(22), toSession: 'y'.repeat(22), data: { kind: 'candidate', gen: 0, candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } } });
      assert.equal((await a.type('error')).code, 'unknown-peer');
    });

    it('drops a signal addressed to an old session of the peer', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      a.send({ type: 'signal', to: b.peerId, toSession: 'old-session-xxxxxxxxx', data: { kind: 'candidate', gen: 0, candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } } });
      b.send({ type: 'ping', t: 1 });
      a.send({ type: 'ping', t: 2 });
      await a.type('pong');
      await b.type('pong');
      assert.equal(b.all('signal').length, 0);
      assert.equal(a.all('error').length, 0);
    });
  });

  describe('room messages', () => {
    it('fans a message out to every other member with a sequence number and acknowledges it', async () => {
      const room = freshRoom();
      const [a, b, c] = [await connect(), await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      await c.join(room, 'C');
      a.send({ type: 'publish', n: 1, data: { text: 'hello' }, sentAt: 1 });
      const [mb, mc, ack] = await Promise.all([b.type('message'), c.type('message'), a.type('ack')]);
      assert.deepEqual(mb.data, { text: 'hello' });
      assert.equal(mb.from, a.peerId);
      assert.equal(mb.n, 1);
      assert.equal(mb.seq, 1);
      assert.equal(mc.seq, 1);
      assert.deepEqual(ack, { type: 'ack', n: 1, seq: 1 });
      assert.equal(a.all('message').length, 0, 'the sender gets an ack, not its own message');
    });

    it('stores a resent publish once and acknowledges it again with its first sequence', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      a.send({ type: 'publish', n: 1, data: 'x', sentAt: 1 });
      a.send({ type: 'publish', n: 1, data: 'x', sentAt: 1 });
      const first = await a.type('ack');
      const second = await a.type('ack');
      assert.equal(first.seq, second.seq);
      await b.type('message');
      b.send({ type: 'ping', t: 0 });
      await b.type('pong');
      assert.equal(b.all('message').length, 1);
    });

    it('gives a late joiner the buffered history before anything live', async () => {
      const room = freshRoom();
      const a = await connect();
      await a.join(room, 'A');
      for (let n = 1; n <= 3; n++) a.send({ type: 'publish', n, data: n, sentAt: 1 });
      await a.next((f) => f.type === 'ack' && f.n === 3);
      const b = await connect();
      const { synced } = await b.join(room, 'B');
      assert.equal(synced.replayed, 3);
      assert.deepEqual(b.all('message').map((m) => m.data), [1, 2, 3]);
      const types = b.frames.map((f) => f.type);
      assert.deepEqual(types.slice(0, 5), ['welcome', 'message', 'message', 'message', 'synced']);
    });
  });

  describe('hostile input', () => {
    const cases: Array<[string, string | object, string]> = [
      ['non-JSON', 'this is not json{', 'bad-frame'],
      ['a JSON array', '[1,2,3]', 'bad-frame'],
      ['a frame without type', { hello: 1 }, 'bad-frame'],
      ['an unknown type', { type: 'launch-missiles' }, 'unknown-type'],
      ['a join missing its fields', { type: 'join', v: 1 }, 'invalid-room'],
      ['a join with a wrong version', { type: 'join', v: 99 }, 'version-mismatch'],
      ['a publish before joining', { type: 'publish', n: 1, data: 'x', sentAt: 1 }, 'not-joined'],
      ['a ping with a string time', { type: 'ping', t: 'now' }, 'invalid-field'],
    ];
    for (const [what, frame, code] of cases) {
      it(`answers ${what} with a typed ${code} error and keeps the socket`, async () => {
        const c = await connect();
        c.send(frame);
        const err = await c.type('error');
        assert.equal(err.code, code);
        assert.equal(typeof err.message, 'string');
        c.send({ type: 'ping', t: 7 });
        assert.equal((await c.type('pong')).t, 7);
      });
    }

    it('answers a 1 MB frame with frame-too-large and keeps the socket', async () => {
      const c = await connect();
      c.send(JSON.stringify({ type: 'publish', n: 1, data: 'x'.repeat(1024 * 1024), sentAt: 1 }));
      assert.equal((await c.type('error')).code, 'frame-too-large');
      c.send({ type: 'ping', t: 1 });
      await c.type('pong');
    });

    it('refuses message data over the room limit with payload-too-large and stores nothing', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      a.send({ type: 'publish', n: 1, data: 'x'.repeat(40 * 1024), sentAt: 1 });
      assert.equal((await a.type('error')).code, 'payload-too-large');
      a.send({ type: 'publish', n: 1, data: 'small', sentAt: 1 });
      assert.equal((await b.type('message')).data, 'small');
    });

    it('answers a binary frame with bad-frame', async () => {
      const c = await connect();
      c.ws.send(Buffer.from([1, 2, 3]));
      assert.equal((await c.type('error')).code, 'bad-frame');
    });

    it('refuses a second join on the same socket', async () => {
      const c = await connect();
      await c.join(freshRoom(), 'A');
      c.send(c.joinFrame(freshRoom(), 'A'));
      assert.equal((await c.type('error')).code, 'already-joined');
    });

    it('leaves other members untouched while one member sends garbage', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      for (const junk of ['{', '{"type":"signal"}', '{"type":"publish","n":-1}', 'null', '"str"']) a.send(junk);
      a.send({ type: 'publish', n: 1, data: 'after junk', sentAt: 1 });
      assert.equal((await b.type('message')).data, 'after junk');
      assert.equal(b.all('error').length, 0);
      assert.equal(a.all('error').length, 5);
    });
  });

  describe('leaving', () => {
    it('announces an explicit leave at once', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      b.send({ type: 'leave', session: b.session });
      const left = await a.type('peer-left');
      assert.equal(left.id, b.peerId);
      assert.equal(left.reason, 'leave');
      assert.equal((await b.closed()).code, 1000);
    });

    it('keeps a member whose socket dropped for the grace period, then announces it left', async () => {
      const room = freshRoom();
      const [a, b] = [await connect(), await connect()];
      await a.join(room, 'A');
      await b.join(room, 'B');
      b.terminate();
      const status = await a.type('peer-status');
      assert.deepEqual([status.id, status.online], [b.peerId, false]);
      const left = await a.type('peer-left', 3000);
      assert.equal(left.reason, 'timeout');
      assert.equal(relay.getRoom(room)!.members.size, 1);
    });

    it('drops an empty room with its buffer', async () => {
      const room = freshRoom();
      const a = await connect();
      await a.join(room, 'A');
      a.send({ type: 'publish', n: 1, data: 1, sentAt: 1 });
      await a.type('ack');
      a.send({ type: 'leave', session: a.session });
      await a.closed();
      assert.equal(relay.getRoom(room), undefined);
      const b = await connect();
      const { synced } = await b.join(room, 'B');
      assert.equal(synced.replayed, 0);
    });
  });

  describe('HTTP', () => {
    it('answers /healthz with status ok', async () => {
      const res = await fetch(relay.httpUrl + '/healthz');
      assert.equal(res.status, 200);
      const body = await res.json() as { status: string };
      assert.equal(body.status, 'ok');
    });

    it('answers unknown paths with a JSON 404 and refuses WebSocket upgrades elsewhere than /ws', async () => {
      const res = await fetch(relay.httpUrl + '/nope');
      assert.equal(res.status, 404);
      await assert.rejects(WsClient.connect(relay.httpUrl.replace('http', 'ws') + '/other'));
    });
  });

  describe('#close', () => {
    it('closes sockets with 1001 and can be called twice', async () => {
      const r = new RelayServer({ port: 0 }, { log: quiet });
      await r.listen();
      const c = await WsClient.connect(r.wsUrl);
      await c.join('x', 'A');
      await Promise.all([r.close(), r.close()]);
      assert.equal((await c.closed()).code, 1001);
      await r.close();
    });
  });
});
