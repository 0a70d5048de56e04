// The relay as the SFU's control plane (issue 19), against a real Janus and a real relay: members
// publish and subscribe through their relay socket only, in their own room; Janus's secrets never
// reach them; Janus down is a clear `sfu-unavailable`, and publishing works again once it is back.
// Runs in the test namespace with its veth pair (Janus gathers no candidate with only `lo`).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { JanusApi } from '../../relay/sfu/janus-api.js';
import { videoRoomOf } from '../../relay/sfu/sfu-gateway.js';
import type { ServerFrame, SfuReplyFrame } from '../../core/protocol.js';
import { Janus } from '../helpers/janus.js';
import { WsClient, randomId } from '../helpers/ws-client.js';

/** An offer as a browser would send it for one Opus track: enough for Janus to answer. */
function audioOffer(): string {
  const fp = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return [
    'v=0', `o=- ${Date.now()} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0', 'a=msid-semantic: WMS s',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${randomBytes(4).toString('hex')}`, `a=ice-pwd:${randomBytes(12).toString('hex')}`, 'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fp}`, 'a=setup:actpass', 'a=mid:0', 'a=sendonly', 'a=msid:s t', 'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2', 'a=candidate:1 1 udp 2122260223 127.0.0.1 9999 typ host', '',
  ].join('\r\n');
}

const isSfu = (op: SfuReplyFrame['op']) => (f: ServerFrame) => f.type === 'sfu' && f.op === op;

describe('relay with an SFU (real Janus)', () => {
  const janus = new Janus();
  let relay: RelayServer;
  const clients: WsClient[] = [];
  const member = async (room: string, name: string) => {
    const c = await WsClient.connect(relay.wsUrl);
    clients.push(c);
    const { welcome } = await c.join(room, name);
    assert.deepEqual(welcome.sfu, { meshLimit: 6 }, 'the welcome says the relay has an SFU, and its mesh limit');
    return c;
  };
  before(async () => {
    await janus.start();
    relay = new RelayServer({ port: 0, sfuUrl: janus.url, sfuApiSecret: janus.apiSecret, sfuAdminKey: janus.adminKey }, { log: new Logger('silent') });
    await relay.listen();
  });
  after(async () => {
    for (const c of clients) c.close();
    await relay.close();
    await janus.close();
  });

  it('answers a publication with Janus\'s candidates, and says absent for a member that publishes nothing (yet)', async () => {
    // A publication is offered to subscribers once its media is up (the browser tests show that,
    // and that a member of another room is never offered it): this offer has no real peer behind it.
    const room = `sfu-${randomId().slice(0, 8)}`;
    const ada = await member(room, 'Ada');
    const bob = await member(room, 'Bob');
    ada.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
    const first = await ada.type('sfu', 10_000);
    assert.equal(first.op, 'answer', JSON.stringify(first));
    const answer = first as Extract<SfuReplyFrame, { op: 'answer' }>;
    assert.match(answer.sdp, /^v=0/);
    assert.match(answer.sdp, /a=candidate:.* 192\.0\.2\.10 /, 'Janus offers its candidates in the answer');
    // Our candidates trickle after the offer (Janus only acknowledges them); null ends them.
    ada.send({ type: 'sfu', op: 'candidate', candidate: { candidate: 'candidate:2 1 udp 2122194687 192.0.2.10 9998 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    ada.send({ type: 'sfu', op: 'candidate', candidate: null });
    bob.send({ type: 'sfu', op: 'subscribe', peer: ada.peerId });
    const absent = await bob.next<Extract<SfuReplyFrame, { op: 'absent' }>>(isSfu('absent'), 10_000, 'absent');
    assert.equal(absent.peer, ada.peerId);
    // A second publication replaces the first (same feed id, no "already exists"). It runs after the
    // trickled candidates (one queue per publication), so by its answer they were taken or refused.
    ada.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
    await ada.next(isSfu('answer'), 10_000, 'the second answer');
    assert.deepEqual(ada.all('sfu').filter((f) => f.op === 'failed'), [], 'trickled candidates are taken');
    const secrets = [janus.apiSecret, janus.adminKey];
    for (const c of [ada, bob]) {
      const text = JSON.stringify(c.frames);
      for (const s of secrets) assert.ok(!text.includes(s), 'no frame carries a Janus secret');
    }
  });

  it('refuses malformed sfu frames with a typed error and goes on', async () => {
    const c = await member(`sfu-${randomId().slice(0, 8)}`, 'Mal');
    c.send({ type: 'sfu', op: 'publish' });
    assert.equal((await c.type('error')).code, 'payload-too-large');
    c.send({ type: 'sfu', op: 'publish', sdp: 'x'.repeat(40_000) });
    assert.equal((await c.type('error')).code, 'payload-too-large');
    c.send({ type: 'sfu', op: 'dance' });
    const e = await c.type('error');
    assert.equal(e.code, 'invalid-field');
    assert.equal(e.ref, 'sfu:dance');
    c.send({ type: 'sfu', op: 'subscribe', peer: '<b>x</b>' });
    assert.equal((await c.type('error')).code, 'invalid-field');
    c.send({ type: 'sfu', op: 'layer', peer: randomId(), mid: '1', substream: 3 });
    assert.match((await c.type('error')).message, /substream/);
    c.send({ type: 'sfu', op: 'layer', peer: randomId(), mid: '<1>', substream: 0 });
    assert.match((await c.type('error')).message, /mid/);
    c.send({ type: 'sfu', op: 'candidate', candidate: { candidate: 7 } });
    assert.match((await c.type('error')).message, /candidate/);
    c.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
    await c.next(isSfu('answer'), 10_000, 'the answer after the refusals');
  });

  /** Whether Janus has the VideoRoom room of relay room `room`, asked directly (with the secret the relay holds). */
  async function videoRoomExists(room: string): Promise<boolean> {
    const api = new JanusApi({ url: janus.url, apiSecret: janus.apiSecret });
    try {
      const handle = await api.attach('janus.plugin.videoroom');
      return (await api.message(handle, { request: 'exists', room: videoRoomOf(room) })).data.exists === true;
    } finally {
      api.close();
    }
  }

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `${what}: not within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('destroys the VideoRoom room when its last publisher leaves', async () => {
    const room = `sfu-${randomId().slice(0, 8)}`;
    const ada = await member(room, 'Ada');
    ada.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
    await ada.next(isSfu('answer'), 10_000, 'the answer');
    assert.equal(await videoRoomExists(room), true);
    ada.send({ type: 'leave', session: ada.session });
    await ada.closed();
    await until('the room destroyed', async () => !(await videoRoomExists(room)));
  });

  it('lets a member\'s publication go when its grace period ends without a leave (socket cut)', async () => {
    const quick = new RelayServer({ port: 0, graceMs: 300, sfuUrl: janus.url, sfuApiSecret: janus.apiSecret, sfuAdminKey: janus.adminKey }, { log: new Logger('silent') });
    await quick.listen();
    try {
      const room = `sfu-${randomId().slice(0, 8)}`;
      const c = await WsClient.connect(quick.wsUrl);
      await c.join(room, 'Ada');
      c.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
      await c.next(isSfu('answer'), 10_000, 'the answer');
      c.terminate();
      await until('the room destroyed after the grace period', async () => !(await videoRoomExists(room)));
    } finally {
      await quick.close();
    }
  });

  it('says sfu-unavailable while Janus is down, and publishes again once it is back', async () => {
    const c = await member(`sfu-${randomId().slice(0, 8)}`, 'Ada');
    await janus.stop(true);
    try {
      c.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
      const failed = await c.next<Extract<SfuReplyFrame, { op: 'failed' }>>(isSfu('failed'), 15_000, 'failed');
      assert.equal(failed.code, 'sfu-unavailable');
      assert.match(failed.message, /SFU/);
      c.send({ type: 'ping', t: 1 });
      await c.type('pong');
    } finally {
      await janus.start();
    }
    // The relay pauses a second after a failed connect, then reaches the new Janus.
    const deadline = Date.now() + 15_000;
    for (;;) {
      c.send({ type: 'sfu', op: 'publish', sdp: audioOffer() });
      const r = await c.type('sfu', 10_000);
      if (r.op === 'answer') break;
      assert.ok(Date.now() < deadline, `publishing did not work again within 15 s of Janus being back: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 300));
    }
  });

  it('refuses a room limit past 50 and a malformed SFU address at start-up', () => {
    assert.throws(() => new RelayServer({ port: 0, maxMembers: 51 }), /maxMembers is at most 50/);
    assert.throws(() => new RelayServer({ port: 0, sfuUrl: 'http://127.0.0.1:8088/janus' }), /sfuUrl is Janus's WebSocket API/);
    assert.throws(() => new RelayServer({ port: 0, meshLimit: 0 }), /meshLimit must be a positive number/);
  });

  it('without an SFU, says so', async () => {
    const plain = new RelayServer({ port: 0 }, { log: new Logger('silent') });
    await plain.listen();
    try {
      const c = await WsClient.connect(plain.wsUrl);
      const { welcome } = await c.join(`sfu-${randomId().slice(0, 8)}`, 'Ada');
      assert.equal(welcome.sfu, undefined);
      c.send({ type: 'sfu', op: 'subscribe', peer: randomId() });
      const r = await c.next<Extract<SfuReplyFrame, { op: 'failed' }>>(isSfu('failed'), 5000, 'failed');
      assert.equal(r.code, 'sfu-unavailable');
      assert.match(r.message, /--sfu-url/);
      c.close();
    } finally {
      await plain.close();
    }
  });
});
