import { expect } from '@open-wc/testing';
import { Room } from '../../core/index.js';
import { AdaptiveBitrate, BITRATE_LADDER } from '../../core/media/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { randomId } from '../../core/base/ids.js';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sums a counter over the RTP stats of one kind and direction. */
async function rtp(pc: RTCPeerConnection, type: 'inbound-rtp' | 'outbound-rtp', field: 'framesDecoded' | 'framesSent'): Promise<number> {
  let sum = 0;
  for (const s of (await pc.getStats()).values()) if (s.type === type && s.kind === 'video') sum += s[field] ?? 0;
  return sum;
}

describe('Room media', () => {
  const rooms: Room[] = [];
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });
  afterEach(() => {
    for (const r of rooms.splice(0)) r.close();
  });
  /** Two rooms with audio and video, connected; `adaptiveBitrate: false` leaves the senders to the test. */
  async function pair(options: { adaptiveBitrate?: boolean } = {}) {
    const id = `media-${randomId(6)}`;
    const media = { audio: true, video: true };
    const a = new Room({ relay, room: id, name: 'A', media, ...options });
    const b = new Room({ relay, room: id, name: 'B', media, ...options });
    rooms.push(a, b);
    await a.join();
    await b.join();
    await until(() => [a, b].every((r) => r.peers[0]?.state === 'connected' && r.peers[0].stream !== null), 'links with streams');
    return [a, b] as const;
  }

  it('each side receives the other\'s video: frames are decoded and keep coming', async () => {
    const [a, b] = await pair();
    for (const [r, other] of [[a, b], [b, a]] as const) {
      const peer = r.peers[0];
      expect(peer.stream!.getVideoTracks().length).to.equal(1);
      expect(peer.stream!.getAudioTracks().length).to.equal(1);
      const pc = r.linkTo(other.selfId)!.connection!;
      const first = await rtp(pc, 'inbound-rtp', 'framesDecoded');
      await until(async () => (await rtp(pc, 'inbound-rtp', 'framesDecoded')) > first + 10, 'more frames decoded');
    }
    await until(() => b.peers[0].media?.video === true && b.peers[0].media.audio === true, 'A announced its media');
  });

  it('camera off stops outgoing frames and camera on resumes them, without renegotiating', async () => {
    const [a, b] = await pair();
    const pc = a.linkTo(b.selfId)!.connection!;
    const remotePc = b.linkTo(a.selfId)!.connection!;
    let negotiations = 0;
    pc.addEventListener('negotiationneeded', () => negotiations++);
    remotePc.addEventListener('negotiationneeded', () => negotiations++);
    const sdp = pc.localDescription!.sdp;
    await until(async () => (await rtp(pc, 'outbound-rtp', 'framesSent')) > 10, 'sending');

    await a.localMedia!.setVideoEnabled(false);
    await until(() => b.peers[0].media?.video === false, 'B told the camera is off');
    const stopped = await rtp(pc, 'outbound-rtp', 'framesSent');
    await new Promise((r) => setTimeout(r, 500)); // a window in which a live camera sends ~15 frames
    expect(await rtp(pc, 'outbound-rtp', 'framesSent')).to.be.at.most(stopped + 1);

    await a.localMedia!.setVideoEnabled(true);
    await until(async () => (await rtp(pc, 'outbound-rtp', 'framesSent')) > stopped + 10, 'sending again');
    await until(() => b.peers[0].media?.video === true, 'B told the camera is on');
    expect(negotiations).to.equal(0);
    expect(pc.localDescription!.sdp).to.equal(sdp);
    expect(a.linkTo(b.selfId)!.connection).to.equal(pc);
  });

  it('muting the microphone is announced and changes no connection', async () => {
    const [a, b] = await pair();
    const pc = a.linkTo(b.selfId)!.connection!;
    a.localMedia!.setAudioEnabled(false);
    await until(() => b.peers[0].media?.audio === false, 'B told the mic is off');
    expect(a.localMedia!.audio!.enabled).to.equal(false);
    expect(pc.signalingState).to.equal('stable');
  });

  it('tracks come back on a replacement connection', async () => {
    const [a, b] = await pair();
    const link = a.linkTo(b.selfId)!;
    link.connection!.close(); // as if A's network stack dropped the connection
    await until(() => link.generation >= 1 && link.state === 'connected' && b.linkTo(a.selfId)!.state === 'connected', 'replaced and connected', 30_000);
    const pc = b.linkTo(a.selfId)!.connection!;
    const first = await rtp(pc, 'inbound-rtp', 'framesDecoded');
    await until(async () => (await rtp(pc, 'inbound-rtp', 'framesDecoded')) > first + 10, 'B decodes A\'s video on the new connection');
  });

  it('adaptive bitrate: poor steps the real sender down to 180p; good for long enough steps back to 720p', async () => {
    const [a, b] = await pair({ adaptiveBitrate: false });
    const sender = a.linkTo(b.selfId)!.videoSender!;
    const clock = new FakeClock();
    const abr = new AdaptiveBitrate({ clock, downCooldownMs: 4000, upAfterMs: 10_000 });
    const enc = () => sender.getParameters().encodings[0];
    const height = sender.track!.getSettings().height!;

    await abr.update('poor', sender);
    expect(abr.current.name).to.equal('480p');
    expect(enc().maxBitrate).to.equal(800_000);
    expect(enc().scaleResolutionDownBy).to.be.closeTo(height / 480, 0.01);
    await abr.update('poor', sender);
    expect(abr.current.name).to.equal('480p', 'no second step within the cooldown');
    for (const want of ['360p', '180p', '180p']) {
      clock.advance(4000);
      await abr.update('poor', sender);
      expect(abr.current.name).to.equal(want);
    }
    expect(enc().active).to.equal(true);
    expect(enc().maxBitrate).to.equal(150_000);
    expect(enc().scaleResolutionDownBy).to.be.closeTo(Math.max(1, height / 180), 0.01);

    await abr.update('good', sender);
    clock.advance(9_999);
    await abr.update('good', sender);
    expect(abr.current.name).to.equal('180p', 'not yet: good must hold 10 s');
    for (const want of ['360p', '480p', '720p']) {
      clock.advance(10_000);
      await abr.update('good', sender);
      expect(abr.current.name).to.equal(want);
    }
    expect(enc().active).to.equal(true);
    expect(enc().maxBitrate).to.equal(BITRATE_LADDER[0].maxBitrate);
  });

  it('a link that stays poor keeps its video moving: the peer still decodes frames (issue 21: a frozen tile)', async () => {
    // The rooms' own adaptive bitrate would re-apply its (good-link) step over ours.
    const [a, b] = await pair({ adaptiveBitrate: false });
    const sender = a.linkTo(b.selfId)!.videoSender!;
    const clock = new FakeClock();
    const abr = new AdaptiveBitrate({ clock });
    // Far longer than the ladder is tall: every step down that poor can take.
    for (let i = 0; i < BITRATE_LADDER.length + 2; i++) {
      await abr.update('poor', sender);
      clock.advance(5000);
    }
    expect(sender.getParameters().encodings[0].active).to.equal(true, 'the video layer is never switched off');
    const pc = b.linkTo(a.selfId)!.connection!;
    const first = await rtp(pc, 'inbound-rtp', 'framesDecoded');
    await until(async () => (await rtp(pc, 'inbound-rtp', 'framesDecoded')) > first + 10, 'B still decodes A\'s video');
  });

  it('fair steps down to 360p at most', async () => {
    const [a, b] = await pair({ adaptiveBitrate: false });
    const sender = a.linkTo(b.selfId)!.videoSender!;
    const clock = new FakeClock();
    const abr = new AdaptiveBitrate({ clock });
    for (let i = 0; i < 5; i++) {
      await abr.update('fair', sender);
      clock.advance(5000);
    }
    expect(abr.current.name).to.equal('360p');
    expect(sender.getParameters().encodings[0].active).to.equal(true);
  });

  it('a member whose camera is denied still joins and chats, and is told why', async () => {
    const id = `media-${randomId(6)}`;
    const denied = { getUserMedia: () => Promise.reject(Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' })) };
    const a = new Room({ relay, room: id, name: 'A', media: { audio: true, video: true }, mediaDevices: denied });
    const b = new Room({ relay, room: id, name: 'B' });
    rooms.push(a, b);
    const errors: string[] = [];
    a.addEventListener('error', (e) => errors.push(e.detail.code));
    await a.join();
    await b.join();
    expect(errors).to.deep.equal(['media-denied']);
    expect(a.localMedia).to.equal(null);
    const got = new Promise((resolve) => b.addEventListener('message', (e) => resolve(e.detail.data), { once: true }));
    a.send('chat still works');
    expect(await got).to.equal('chat still works');
  });
});
