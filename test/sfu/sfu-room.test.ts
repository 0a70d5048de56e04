// Rooms in SFU mode (issue 19) with real Chromium pages, a real relay and a real Janus: media goes
// through Janus's VideoRoom, which the relay drives; member links carry chat only. Runs in the test
// namespace with its veth pair (Janus gathers no candidate with only `lo`).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { Janus } from '../helpers/janus.js';
import { WsClient } from '../helpers/ws-client.js';
import { settle } from '../helpers/wait.js';
import { sfuMember } from '../helpers/sfu-member.js';

const NAMES = ['Ada', 'Bob', 'Cy'];

/** Video frames decoded on each of a page's SFU subscriptions (its connections that receive video), and whether the connection is new since `__before`. */
const subscriptionFrames = (page: Page) => page.evaluate(async () => {
  const room = (window as any).__room;
  const before: Set<RTCPeerConnection> = (window as any).__before ?? new Set();
  const out: Array<{ frames: number; fresh: boolean }> = [];
  for (const pc of room.sfuConnections as RTCPeerConnection[]) {
    let frames = -1;
    for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') frames = Math.max(frames, 0) + (s.framesDecoded ?? 0);
    const receives = pc.getTransceivers().some((t) => t.receiver.track.kind === 'video' && t.direction === 'recvonly');
    if (receives) out.push({ frames: Math.max(frames, 0), fresh: !before.has(pc) });
  }
  return out;
});

/** Waits until a page shows `n` peers, all through `transport`, each with a video track. */
const allPeers = (page: Page, n: number, transport: string, timeout = 90_000) => page.waitForFunction(({ n, transport }) => {
  const r = (window as any).__room;
  return r.state === 'connected' && r.peers.length === n && r.peers.every((p: any) => p.transport === transport && p.stream?.getVideoTracks().length);
}, { n, transport }, { timeout, polling: 200 });

/** Every page got every text once (and nothing else), whatever the order across senders. */
async function chatOnce(pages: Page[], texts: string[]): Promise<void> {
  for (const page of pages) await page.waitForFunction((n) => (window as any).__got.length >= n, texts.length, { timeout: 60_000, polling: 100 });
  await settle();
  for (const page of pages) assert.deepEqual((await page.evaluate(() => (window as any).__got as string[])).slice().sort(), texts.slice().sort());
}

/** Per SFU connection of a page: video frames decoded and audio packets received, and what the member links carry. */
const flows = (page: Page) => page.evaluate(async () => {
  const room = (window as any).__room;
  let video = 0;
  let audio = 0;
  for (const pc of room.sfuConnections as RTCPeerConnection[]) {
    for (const s of (await pc.getStats()).values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') video += s.framesDecoded ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived ?? 0;
    }
  }
  let linkMedia = 0;
  for (const p of room.peers) {
    const pc: RTCPeerConnection | null = room.linkTo(p.id)?.connection ?? null;
    if (pc) for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp') linkMedia++;
  }
  return {
    state: room.state as string,
    peers: room.peers.map((p: any) => ({ transport: p.transport, stream: !!p.stream, videoTracks: p.stream?.getVideoTracks().length ?? 0, audioTracks: p.stream?.getAudioTracks().length ?? 0 })),
    connections: room.sfuConnections.length as number,
    video, audio, linkMedia,
  };
});

describe('rooms in SFU mode (real Janus)', () => {
  const janus = new Janus();
  let relay: RelayProcess;
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  before(async () => {
    await janus.start();
    relay = new RelayProcess({ args: ['--static', '/dist=dist', '--max-members', '12', ...janus.relayArgs] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
  }, HOOK);
  after(async () => {
    await browser?.close();
    await relay?.kill('SIGTERM');
    await janus.close();
  }, HOOK);

  it('3 members: everyone decodes everyone\'s video and receives their audio through the SFU; chat goes once; links carry no media', LONG_TEST, async () => {
    const pages: Page[] = [];
    for (const name of NAMES) {
      const user = await sfuMember(browser, relay, 'sfu-three', name);
      contexts.push(user.context);
      pages.push(user.page);
    }
    for (const page of pages) {
      await page.waitForFunction(() => {
        const r = (window as any).__room;
        return r.state === 'connected' && r.peers.length === 2 && r.peers.every((p: any) => p.transport === 'sfu' && p.stream?.getVideoTracks().length && p.stream?.getAudioTracks().length);
      }, undefined, { timeout: 60_000, polling: 200 });
    }
    const first = await Promise.all(pages.map(flows));
    // Both others keep coming: at least 2 s more of video (10 fps) and of audio (50 packets/s) from each.
    const deadline = Date.now() + 60_000;
    for (const [i, page] of pages.entries()) {
      for (;;) {
        const now = await flows(page);
        if (now.video >= first[i].video + 2 * 20 && now.audio >= first[i].audio + 2 * 100) {
          assert.equal(now.connections, 3, 'one publication and a subscription per other member');
          assert.equal(now.linkMedia, 0, 'member links carry no media in SFU mode');
          break;
        }
        if (Date.now() > deadline) assert.fail(`${NAMES[i]}: media stopped: ${JSON.stringify({ first: first[i], now })}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    // peer.quality and peer.metrics are those of the media as it comes, through the SFU: decoded
    // frames (a link that carries no media has none), and a quality level.
    for (const page of pages) {
      await page.waitForFunction(() => (window as any).__room.peers.every((p: any) => p.quality && p.metrics?.framesDecoded > 0 && p.metrics?.fpsIn > 0), undefined, { timeout: 30_000, polling: 200 });
    }
    // Chat still goes exactly once, by the links and the relay.
    for (const [i, page] of pages.entries()) await page.evaluate((t) => (window as any).__room.send(t), `hello from ${NAMES[i]}`);
    for (const page of pages) await page.waitForFunction(() => (window as any).__got.length >= 3, undefined, { timeout: 30_000, polling: 100 });
    await settle();
    for (const page of pages) assert.deepEqual((await page.evaluate(() => (window as any).__got)).sort(), NAMES.map((n) => `hello from ${n}`).sort());
    // A member of another room is never offered this room's publications, even by peer id.
    const ada = await pages[0].evaluate(() => (window as any).__room.selfId as string);
    const eve = await WsClient.connect(relay.wsUrl);
    try {
      await eve.join('sfu-elsewhere', 'Eve');
      eve.send({ type: 'sfu', op: 'subscribe', peer: ada });
      const reply = await eve.type('sfu', 10_000);
      assert.equal(reply.op, 'absent');
    } finally {
      eve.close();
    }
    for (const page of pages) await page.evaluate(() => (window as any).__room.close());
  });

  it('auto: a room of 5 grows to 9; past the mesh limit (6) its media moves to the SFU by itself, chat sent meanwhile arrives once, and everyone decodes everyone', LONG_TEST, async () => {
    const names = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'];
    const pages: Page[] = [];
    const texts: string[] = [];
    const join = async (name: string) => {
      const user = await sfuMember(browser, relay, 'sfu-auto', name, 'auto', false);
      contexts.push(user.context);
      pages.push(user.page);
    };
    const say = async (round: number) => {
      for (const [i, page] of pages.entries()) {
        const text = `${names[i]} round ${round}`;
        texts.push(text);
        await page.evaluate((t) => (window as any).__room.send(t), text);
      }
    };
    for (const name of names.slice(0, 5)) await join(name);
    for (const page of pages) await allPeers(page, 4, 'mesh');
    await say(1);
    // The 6th keeps the mesh; the 7th moves the room. Chat goes on while it moves.
    await join(names[5]);
    await say(2);
    await join(names[6]);
    await say(3);
    await join(names[7]);
    await join(names[8]);
    await say(4);
    for (const page of pages) await allPeers(page, 8, 'sfu', 120_000);
    await chatOnce(pages, texts);
    // Every page decodes all 8 others through the SFU: 1 s more of video from each.
    const first = await Promise.all(pages.map(subscriptionFrames));
    const deadline = Date.now() + 90_000;
    for (const [i, page] of pages.entries()) {
      for (;;) {
        const now = await subscriptionFrames(page);
        if (now.length === 8 && now.every((s, k) => s.frames >= (first[i][k]?.frames ?? 0) + 10)) break;
        if (Date.now() > deadline) assert.fail(`${names[i]}: ${JSON.stringify({ first: first[i], now })}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(await page.evaluate(async () => {
        let media = 0;
        const room = (window as any).__room;
        for (const p of room.peers) {
          const pc: RTCPeerConnection | null = room.linkTo(p.id)?.connection ?? null;
          for (const sender of pc?.getSenders() ?? []) if (sender.track) media++;
        }
        return media;
      }), 0, `${names[i]} sends nothing over its links after the move`);
    }
    for (const page of pages) await page.evaluate(() => (window as any).__room.close());
  });

  it('Janus killed and started again during a call: media comes back by itself, and chat never stops', LONG_TEST, async () => {
    const pages: Page[] = [];
    for (const name of NAMES) {
      const user = await sfuMember(browser, relay, 'sfu-restart', name);
      contexts.push(user.context);
      pages.push(user.page);
    }
    for (const page of pages) await allPeers(page, 2, 'sfu');
    for (const page of pages) await page.evaluate(() => { (window as any).__before = new Set((window as any).__room.sfuConnections); });
    const texts: string[] = [];
    const say = async (round: string) => {
      for (const [i, page] of pages.entries()) {
        const text = `${NAMES[i]} ${round}`;
        texts.push(text);
        await page.evaluate((t) => (window as any).__room.send(t), text);
      }
    };
    await say('before');
    await janus.stop(true);
    await say('while Janus is down');
    // Each page finds its connections to the SFU dead, asks again, and is told the SFU is away.
    for (const page of pages) await page.waitForFunction(() => (window as any).__errors.includes('sfu-unavailable'), undefined, { timeout: 30_000, polling: 100 });
    await janus.start();
    await say('after');
    // Every page receives both others again, over new connections, with at least 1 s of video each.
    const deadline = Date.now() + 90_000;
    for (const [i, page] of pages.entries()) {
      for (;;) {
        const subs = await subscriptionFrames(page);
        const fresh = subs.filter((s) => s.fresh && s.frames >= 10);
        if (fresh.length >= 2) break;
        if (Date.now() > deadline) assert.fail(`${NAMES[i]}: media did not come back: ${JSON.stringify(subs)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    await chatOnce(pages, texts);
    for (const page of pages) assert.equal(await page.evaluate(() => (window as any).__room.state), 'connected');
    for (const page of pages) await page.evaluate(() => (window as any).__room.close());
  });
});
