// Finding 8 of issue 15: smaller holes. `self` must not trust the Host header (DNS rebinding);
// member keys are compared in constant time; token signatures only in their canonical encoding;
// a token's expiry ends a socket that stays open; per-address limits count an IPv6 /64 as one
// address; the HTTP endpoints are rate-limited; clients cannot flood the logs.
import { describe, it, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { createRoomToken } from '../../relay/room-token.js';
import { keyDigest, keyMatches } from '../../relay/member-key.js';
import { addressKey } from '../../relay/address-key.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import type { RelayClock } from '../../relay/contracts.js';
import { WsClient } from '../helpers/ws-client.js';
import { SteppedClock } from '../helpers/stepped-clock.js';

const quiet = new Logger('silent');
const SECRET = 'a-long-enough-test-secret';

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.terminate(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
    ws.on('error', () => {});
  });
}

describe('relay hardening', () => {
  const relays: RelayServer[] = [];
  const clients: WsClient[] = [];
  async function relay(opts: RelayOptionsInput = {}, clock?: RelayClock) {
    const r = new RelayServer({ port: 0, ...opts }, { log: quiet, clock });
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

  it('"self" is the configured public origin and the bound address, never whatever the Host header says', async () => {
    const r = await relay({ allowedOrigins: ['self'], publicOrigins: ['https://chat.example'] });
    const port = r.address().port;
    assert.equal(await upgradeStatus(r.wsUrl, { origin: `http://rebound.example:${port}`, host: `rebound.example:${port}` }), 403);
    assert.equal(await upgradeStatus(r.wsUrl, { origin: 'https://chat.example' }), 101);
    assert.equal(await upgradeStatus(r.wsUrl, { origin: `http://127.0.0.1:${port}` }), 101);
  });

  it('member keys are kept as digests and compared in constant time, whatever their length', async () => {
    const digest = keyDigest('the-right-key-1234');
    assert.equal(keyMatches(digest, 'the-right-key-1234'), true);
    for (const wrong of ['the-right-key-1235', 'x', '', 'the-right-key-1234-and-more']) assert.equal(keyMatches(digest, wrong), false, wrong);
    const r = await relay();
    const c = await client(r);
    await c.join('keys', 'Ada');
    const post = (key: string) => fetch(`${r.httpUrl}/rooms/keys/quality`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ peer: c.peerId, rttMs: 10 }) });
    assert.equal((await post(c.key)).status, 200);
    assert.equal((await post(c.key.slice(0, -1) + (c.key.endsWith('A') ? 'B' : 'A'))).status, 403);
    assert.equal((await post(c.key + 'x')).status, 403);
  });

  it('accepts a token signature only in its canonical encoding', async () => {
    const r = await relay({ secret: SECRET });
    const token = createRoomToken(SECRET, { room: 'vip', ttlSeconds: 60 });
    for (const forged of [`${token}=`, `${token}!!`, `${token}==`, `${token}\u00a0`]) {
      const c = await client(r);
      c.send(c.joinFrame('vip', 'Ada', { token: forged }));
      const err = await c.type('error');
      assert.ok(err.code === 'token-invalid' || err.code === 'invalid-field', `${JSON.stringify(forged)}: ${err.code}`);
    }
    const ok = await client(r);
    await ok.join('vip', 'Ada', { token });
  });

  it('closes a socket when its room token expires (4003), so it resumes with a fresh one', async () => {
    const clock = new SteppedClock();
    const r = await relay({ secret: SECRET }, clock);
    const c = await client(r);
    await c.join('vip', 'Ada', { token: createRoomToken(SECRET, { room: 'vip', ttlSeconds: 60, now: clock.now() }) });
    clock.advance(59_000);
    c.send({ type: 'ping', t: 1 });
    await c.type('pong');
    assert.equal(c.closeInfo, null, 'still open before the expiry');
    clock.advance(2_000);
    assert.equal((await c.closed()).code, 4003);
  });

  it('counts an IPv6 /64 as one address for connection limits', async () => {
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:0db8:0001:0002:ffff:0:0:9'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    const r = await relay({ trustProxy: true, connectionsPerSecond: 0.001, connectionBurst: 2 });
    const from = (ip: string) => upgradeStatus(r.wsUrl, { 'x-forwarded-for': ip });
    assert.deepEqual([await from('2001:db8:1:2::1'), await from('2001:db8:1:2::2'), await from('2001:db8:1:2:abcd::3')], [101, 101, 429]);
    assert.equal(await from('2001:db8:1:3::1'), 101, 'another /64 is another address');
  });

  it('rate-limits the HTTP endpoints per address (429), but never /healthz or /metrics', async () => {
    const r = await relay({ httpRatePerSecond: 0.001, httpRateBurst: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fetch(`${r.httpUrl}/rooms/x/state`)).status);
    assert.deepEqual(statuses, [404, 404, 404, 404, 404, 429, 429, 429]);
    assert.equal((await fetch(`${r.httpUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${r.httpUrl}/metrics`)).status, 200);
  });

  it('/healthz may be read by any page (clients ask it before a reconnect); the room endpoints follow the allow-list', async () => {
    const r = await relay({ allowedOrigins: ['https://example.org'] });
    const health = await fetch(`${r.httpUrl}/healthz`, { headers: { origin: 'https://elsewhere.example' } });
    assert.equal(health.headers.get('access-control-allow-origin'), '*');
    assert.equal((await health.json()).status, 'ok');
    const state = await fetch(`${r.httpUrl}/rooms/x/state`, { headers: { origin: 'https://elsewhere.example' } });
    assert.equal(state.headers.get('access-control-allow-origin'), null);
  });

  it('rate-limits warn and error lines per message, and says how many it suppressed', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new Logger('info', (l) => lines.push(l), () => now);
    for (let i = 0; i < 1000; i++) log.warn('redis operation failed', { i });
    assert.equal(lines.length, 10);
    log.error('another message');
    assert.equal(lines.length, 11, 'other messages have their own budget');
    now += 1500;
    log.warn('redis operation failed');
    assert.equal(lines.length, 12);
    assert.equal((JSON.parse(lines[11]) as { suppressed: number }).suppressed, 990);
    for (let i = 0; i < 100; i++) log.info('start-up line');
    assert.equal(lines.length, 112, 'info lines are the relay\'s own and not limited');
  });
});
