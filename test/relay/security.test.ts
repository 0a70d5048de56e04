import { describe, it, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { createRoomToken } from '../../relay/room-token.js';
import { turnCredentials } from '../../relay/turn-credentials.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { WsClient } from '../helpers/ws-client.js';
import { createHmac } from 'node:crypto';

const quiet = new Logger('silent');
const SECRET = 'a-long-enough-test-secret';

/** Opens a raw WebSocket and resolves with the HTTP status it was refused with (or 101). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.terminate(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
    ws.on('error', () => {});
  });
}

describe('relay security', () => {
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  async function relay(opts: RelayOptionsInput = {}) {
    const r = new RelayServer({ port: 0, ...opts }, { log: quiet });
    await r.listen();
    relays.push(r);
    return r;
  }
  async function client(r: RelayServer, headers: Record<string, string> = {}) {
    const c = await WsClient.connect(r.wsUrl, headers);
    clients.push(c);
    return c;
  }
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });
  after(async () => {
    for (const r of relays) await r.close();
  });

  describe('origins', () => {
    it('by default admits its own origin and localhost, and refuses others with 403', async () => {
      const r = await relay();
      const host = new URL(r.httpUrl).host;
      assert.equal(await upgradeStatus(r.wsUrl, { origin: `http://${host}` }), 101);
      assert.equal(await upgradeStatus(r.wsUrl, { origin: 'http://localhost:3000' }), 101);
      assert.equal(await upgradeStatus(r.wsUrl, { origin: 'https://evil.example' }), 403);
      assert.equal(await upgradeStatus(r.wsUrl, { origin: 'null' }), 403);
      assert.equal(r.roomCount(), 0);
    });

    it('follows an explicit allow-list, and * only when given', async () => {
      const r = await relay({ allowedOrigins: ['https://app.example'] });
      assert.equal(await upgradeStatus(r.wsUrl, { origin: 'https://app.example' }), 101);
      assert.equal(await upgradeStatus(r.wsUrl, { origin: 'http://localhost:3000' }), 403);
      const any = await relay({ allowedOrigins: ['*'] });
      assert.equal(await upgradeStatus(any.wsUrl, { origin: 'https://anyone.example' }), 101);
    });

    it('refuses the JSON endpoints to other origins, preflight included, with a reason', async () => {
      const r = await relay();
      const evil = await fetch(`${r.httpUrl}/rooms/x/state`, { headers: { origin: 'https://evil.example' } });
      assert.equal(evil.status, 403);
      assert.equal((await evil.json() as { error: string }).error, 'origin-denied');
      const pre = await fetch(`${r.httpUrl}/rooms/x/quality`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 403);
      const ok = await fetch(`${r.httpUrl}/rooms/x/quality`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    });
  });

  describe('room tokens', () => {
    const token = (o: Partial<{ room: string; name: string; ttlSeconds: number; now: number }> = {}, secret = SECRET) =>
      createRoomToken(secret, { room: 'vip', ttlSeconds: 60, ...o });

    async function refused(r: RelayServer, extra: Record<string, unknown>, name = 'Ada') {
      const c = await client(r);
      c.send(c.joinFrame('vip', name, extra));
      const err = await c.type('error');
      assert.equal((await c.closed()).code, 4001);
      return err.code;
    }

    it('admits a valid token and refuses missing, expired, forged and misdirected ones, joining nothing', async () => {
      const r = await relay({ secret: SECRET });
      assert.equal(await refused(r, {}), 'token-invalid');
      assert.equal(await refused(r, { token: token({ ttlSeconds: 60, now: Date.now() - 120_000 }) }), 'token-expired');
      assert.equal(await refused(r, { token: token({}, 'another-secret-entirely') }), 'token-invalid');
      const [body, sig] = token().split('.');
      const tampered = Buffer.from(JSON.stringify({ room: 'vip', exp: 9_999_999_999 })).toString('base64url');
      assert.equal(await refused(r, { token: `${tampered}.${sig}` }), 'token-invalid');
      assert.equal(await refused(r, { token: `${body}.` }), 'token-invalid');
      assert.equal(await refused(r, { token: 'garbage' }), 'token-invalid');
      assert.equal(await refused(r, { token: token({ room: 'other' }) }), 'token-invalid');
      assert.equal(await refused(r, { token: token({ name: 'Bob' }) }), 'token-invalid');
      assert.equal(r.roomCount(), 0);
      const c = await client(r);
      const { welcome } = await c.join('vip', 'ada', { token: token({ name: 'Ada' }) });
      assert.equal(welcome.self.name, 'ada', 'a name-bound token ignores case like names do');
    });

    it('checks the token again on resume: a forged token cannot take over a held member', async () => {
      const r = await relay({ secret: SECRET, graceMs: 10_000 });
      const [a, b] = [await client(r), await client(r)];
      await a.join('vip', 'Ada', { token: token() });
      const { welcome } = await b.join('vip', 'Bob', { token: token() });
      b.terminate();
      await a.type('peer-status');
      const thief = await client(r);
      Object.assign(thief, { peerId: b.peerId, key: b.key, session: b.session });
      thief.send(thief.joinFrame('vip', 'Bob', { token: token({}, 'forged-secret-forged'), resume: { epoch: welcome.epoch, lastSeq: 0 } }));
      assert.equal((await thief.type('error')).code, 'token-invalid');
      const bob = r.getRoom('vip')!.members.get(b.peerId)!;
      assert.equal(bob.socket, null, 'still held, not resumed');
      assert.equal(a.all('peer-status').length, 1, 'nobody was told Bob came back');
    });

    it('protects room state: 401 without a token for the room, 200 with one', async () => {
      const r = await relay({ secret: SECRET });
      const c = await client(r);
      await c.join('vip', 'Ada', { token: token() });
      assert.equal((await fetch(`${r.httpUrl}/rooms/vip/state`)).status, 401);
      assert.equal((await fetch(`${r.httpUrl}/rooms/vip/state`, { headers: { authorization: `Bearer ${token({ room: 'other' })}` } })).status, 401);
      assert.equal((await fetch(`${r.httpUrl}/rooms/vip/state`, { headers: { authorization: `Bearer ${token({ name: 'Someone' })}` } })).status, 200);
    });
  });

  describe('TURN credentials', () => {
    it('follow the coturn REST scheme and go to members only', async () => {
      const r = await relay({ turnSecret: 'turn-secret', openTurn: true, turnUrls: ['turn:127.0.0.1:3478'], turnTtlSeconds: 600, stunUrls: ['stun:127.0.0.1:3478'] });
      const c = await client(r);
      const { welcome } = await c.join('t', 'Ada');
      const turn = welcome.iceServers!.find((s) => s.username)!;
      assert.equal(welcome.iceTtlSeconds, 600);
      const [expiry, peer] = turn.username!.split(':');
      assert.equal(peer, c.peerId);
      assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + 600)) < 5);
      assert.equal(turn.credential, createHmac('sha1', 'turn-secret').update(turn.username!).digest('base64'));
      const url = `${r.httpUrl}/turn-credentials?room=t&peer=${c.peerId}`;
      assert.equal((await fetch(url)).status, 403);
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 403);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${c.key}` } });
      assert.equal(ok.status, 200);
      const body = await ok.json() as { iceServers: Array<{ urls: unknown; username?: string }>; ttlSeconds: number };
      assert.equal(body.ttlSeconds, 600);
      assert.deepEqual(body.iceServers[0], { urls: ['stun:127.0.0.1:3478'] });
      assert.equal(turnCredentials('s', 'p', 10, 0).username, '10:p');
    });
  });

  describe('limits', () => {
    it('refuses new connections from one address beyond its rate with 429', async () => {
      const r = await relay({ connectionsPerSecond: 1, connectionBurst: 5 });
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push(await upgradeStatus(r.wsUrl, {}));
      assert.deepEqual(statuses, [101, 101, 101, 101, 101, 429, 429, 429]);
    });

    it('refuses more rooms than allowed with too-many-rooms', async () => {
      const r = await relay({ maxRooms: 2 });
      await (await client(r)).join('r1', 'A');
      await (await client(r)).join('r2', 'A');
      const c = await client(r);
      c.send(c.joinFrame('r3', 'A'));
      assert.equal((await c.type('error')).code, 'too-many-rooms');
      assert.equal(r.roomCount(), 2);
    });

    it('a client sending 10,000 messages a second is rate-limited, then disconnected; another room is unaffected', async () => {
      const r = await relay();
      const flooder = await client(r);
      await flooder.join('flood', 'F');
      const [a, b] = [await client(r), await client(r)];
      await a.join('calm', 'A');
      await b.join('calm', 'B');
      let n = 0;
      const flood = setInterval(() => {
        for (let i = 0; i < 100 && flooder.ws.readyState === flooder.ws.OPEN; i++) flooder.send({ type: 'publish', n: ++n, data: 'x', sentAt: 0 });
      }, 10);
      try {
        const latencies: number[] = [];
        for (let k = 1; k <= 50; k++) {
          const t0 = performance.now();
          a.send({ type: 'publish', n: k, data: k, sentAt: 0 });
          await b.next((f) => f.type === 'message' && f.n === k);
          latencies.push(performance.now() - t0);
        }
        const closed = await flooder.closed(10_000);
        assert.equal(closed.code, 4008);
        assert.ok(flooder.all('error').some((e) => e.code === 'rate-limited'));
        assert.ok(flooder.all('error').length < 50, 'refusals are not echoed once per dropped frame');
        assert.deepEqual(b.all('message').map((m) => m.n), Array.from({ length: 50 }, (_, i) => i + 1));
        // Generous: the point is that the calm room is not starved, not a speed goal (see bench/fuzz.mjs).
        assert.ok(Math.max(...latencies) < 1000, `calm room latency ${Math.max(...latencies)} ms`);
      } finally {
        clearInterval(flood);
      }
    });

    it('signals and SFU requests have a budget of their own, sized by the room limit: a newcomer to a room of 50 sets up a path to every member at once; messages keep theirs', async () => {
      const r = await relay({ maxMembers: 50 });
      const [a, b] = [await client(r), await client(r)];
      const { welcome } = await a.join('big', 'A');
      await b.join('big', 'B');
      assert.deepEqual([welcome.limits.setupPerSecond, welcome.limits.setupBurst], [200, 600], 'told to the client, which paces itself under it');
      // 12 set-up frames for each of 49 others (offer, candidates, subscribe, start…), in one go.
      const burst = 12 * 49;
      const data = { kind: 'candidate', gen: 0, candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } };
      for (let i = 0; i < burst; i++) a.send({ type: 'signal', to: b.peerId, toSession: b.session, data });
      await b.next(() => b.all('signal').length === burst, 10_000, `${burst} signals`);
      assert.deepEqual(a.all('error'), [], 'none refused');
      // Messages: still the frame rate's burst (200), however large the room.
      for (let n = 1; n <= 300; n++) a.send({ type: 'publish', n, data: n, sentAt: 0 });
      assert.equal((await a.type('error')).code, 'rate-limited');
      assert.match(a.all('error')[0].message, /more than 50 frames per second/);
      // And set-up frames past their own budget (600) are refused too, worded for what they are.
      const c = await client(r);
      await c.join('big', 'C');
      for (let i = 0; i < 700; i++) c.send({ type: 'signal', to: b.peerId, toSession: b.session, data });
      const refusal = await c.type('error');
      assert.equal(refusal.code, 'rate-limited');
      assert.match(refusal.message, /more than 200 signals and SFU requests per second/);
    });

    it('in a room of the default size the set-up budget is the frame rate\'s (nothing grows for small rooms)', async () => {
      const r = await relay();
      const a = await client(r);
      const { welcome } = await a.join('small', 'A');
      assert.deepEqual([welcome.limits.setupPerSecond, welcome.limits.setupBurst], [50, 200]);
    });

    it('closes a connection that keeps sending refused frames (4008)', async () => {
      const r = await relay({ maxStrikes: 20 });
      const c = await client(r);
      for (let i = 0; i < 40; i++) c.send('not json');
      assert.equal((await c.closed()).code, 4008);
    });
  });
});
