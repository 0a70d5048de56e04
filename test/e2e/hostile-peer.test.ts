import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { settle } from '../helpers/wait.js';

const FRAMES_PER_VICTIM = 10_000;

describe('a member whose page behaves badly', () => {
  let browser: Browser;
  let relay: RelayProcess;
  let pages: PeerPage[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/dist=dist'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    for (const p of pages) await p.close();
    await browser?.close();
    await relay?.kill();
  }, HOOK);

  it(`floods both others with ${FRAMES_PER_VICTIM.toLocaleString('en')} hostile data-channel frames each; they keep chatting exactly once and their link stays up`, TEST, async () => {
    for (const name of ['Ada', 'Bob', 'Eve']) {
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: relay.wsUrl, room: 'hostile', name });
      p.page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
      if (name === 'Eve') {
        // A modified page: Eve keeps a hand on the raw data channels her room opens.
        await p.page.evaluate(() => {
          const create = RTCPeerConnection.prototype.createDataChannel;
          RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection & { __channels?: Record<string, RTCDataChannel> }, label: string, init?: RTCDataChannelInit) {
            const channel = create.call(this, label, init);
            (this.__channels ??= {})[label] = channel;
            return channel;
          };
        });
      }
      await p.join();
      pages.push(p);
    }
    const [ada, bob, eve] = pages;
    await Promise.all(pages.map((p) => p.meshed(2)));
    const eveId = await eve.selfId();
    const linkBefore = await ada.links();
    // What reaches the victims from Eve, counted at their links (before any rate limit).
    for (const v of [ada, bob]) {
      await v.page.evaluate((id) => {
        const link = (window as any).__mesh.room.linkTo(id);
        const seen = { frames: 0, malformed: 0 };
        link.addEventListener('message', () => seen.frames++);
        link.addEventListener('warning', (e: CustomEvent) => { if (/malformed/.test(e.detail.what)) seen.malformed++; });
        const limit = (window as any).__mesh.room.peerInput(id);
        (window as any).__fromEve = seen;
        (window as any).__limitBefore = limit.admitted + limit.refused;
      }, eveId);
    }

    const floodAt = Date.now();
    // Eve writes straight into her data channels (a modified page would), as fast as they take it.
    const flood = eve.page.evaluate(async (count) => {
      const room = (window as any).__mesh.room;
      let seed = 99;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
      const big = () => pick([2 ** 53 - 1, 2 ** 53, 2 ** 40, 1e21, -1, 1.5]);
      // Small frames of every kind, and now and then a big one (the bytes are not the point: the count is).
      const small: Array<() => string> = [
        () => pick(['{', '[[[', 'null', '"x"', '{"t":', '\u0000', 'not json at all', '{"t":"msg","n":1,"data":']),
        () => JSON.stringify({ t: 'msg', n: Math.floor(rnd() * 2 ** 53), data: 'from the far future', sentAt: 0 }),
        () => JSON.stringify({ t: 'msg', n: big(), data: 'odd number', sentAt: 0 }),
        () => JSON.stringify({ t: 'repair-request', fromN: 1, toN: 2 ** 53 - 1 }),
        () => JSON.stringify({ t: 'repair-request', fromN: 1, toN: big() }),
        () => JSON.stringify({ t: 'repair-reply', messages: [], missing: [[1, 2 ** 53 - 1]] }),
        () => JSON.stringify({ t: 'media', audio: rnd() < 0.5, video: rnd() < 0.5, screen: rnd() < 0.5, recording: rnd() < 0.5 }),
        () => JSON.stringify({ t: 'volatile', data: { junk: 'y'.repeat(100) }, sentAt: 0 }),
        () => '{"__proto__":{"t":"msg","polluted":1},"constructor":{"prototype":{"polluted":1}},"t":"volatile","data":1,"sentAt":0}',
        () => JSON.stringify({ t: pick(['', 'MSG', '__proto__', 'toString', 7]), n: 1 }),
      ];
      const large: Array<() => string> = [
        () => '['.repeat(3000) + ']'.repeat(3000),
        () => 'x'.repeat(64 * 1024),
        () => JSON.stringify({ t: 'repair-reply', messages: Array.from({ length: 1000 }, (_, k) => ({ n: 2 ** 52 + k, data: k, sentAt: 0 })), missing: [] }),
        () => JSON.stringify({ t: 'volatile', data: { junk: 'y'.repeat(30_000) }, sentAt: 0 }),
      ];
      // A pool made once, so the flood goes as fast as the channel takes it.
      const pool = Array.from({ length: 400 }, (_, k) => (k % 40 === 0 ? pick(large) : pick(small))());
      const sent: number[] = [];
      for (const peer of room.peers) {
        const dc: RTCDataChannel = room.linkTo(peer.id).connection.__channels.mesh;
        let n = 0;
        while (n < count) {
          if (dc.readyState !== 'open') throw new Error(`Eve's channel to ${peer.name} closed after ${n} frames`);
          if (dc.bufferedAmount > 4 * 1024 * 1024) {
            await new Promise((r) => { dc.bufferedAmountLowThreshold = 1024 * 1024; dc.addEventListener('bufferedamountlow', r, { once: true }); });
            continue;
          }
          dc.send(pick(pool));
          n++;
        }
        sent.push(n);
      }
      return sent;
    }, FRAMES_PER_VICTIM);

    // Meanwhile Ada and Bob chat.
    const said = { Ada: [] as string[], Bob: [] as string[] };
    for (let k = 1; k <= 30; k++) {
      for (const [p, name] of [[ada, 'Ada'], [bob, 'Bob']] as const) {
        const text = `${name} ${k}`;
        await p.send(text);
        said[name].push(text);
      }
    }
    const sent = await flood;
    process.stdout.write(`# Eve's flood sent after ${Date.now() - floodAt} ms\n`);
    assert.deepEqual(sent, [FRAMES_PER_VICTIM, FRAMES_PER_VICTIM], 'Eve sent every frame');
    // Every frame arrives (the channel is reliable); wait until the victims have seen them all.
    for (const v of [ada, bob]) {
      await v.page.waitForFunction((n) => { const s = (window as any).__fromEve; return s.frames + s.malformed >= n; }, FRAMES_PER_VICTIM, { timeout: 60_000, polling: 100 });
    }
    process.stdout.write(`# all of it received after ${Date.now() - floodAt} ms\n`);
    // And after the flood, the direct path between the victims still works at once.
    await ada.page.evaluate(() => (window as any).__mesh.room.send({ after: 'the flood' }, { durable: false }));
    await bob.page.waitForFunction(() => (window as any).__mesh.log.messages.some((m: any) => m.data?.after === 'the flood'), undefined, { timeout: 10_000, polling: 50 });
    for (const [v, other] of [[ada, bob], [bob, ada]] as const) {
      const otherId = await other.selfId();
      await v.page.waitForFunction((id) => (window as any).__mesh.log.messages.filter((m: any) => m.from === id && m.id !== '').length >= 30, otherId, { timeout: 30_000, polling: 50 });
    }
    await settle();

    for (const [v, other] of [[ada, bob], [bob, ada]] as const) {
      const otherId = await other.selfId();
      const log = await v.log();
      const fromOther = log.messages.filter((m) => m.from === otherId && m.id !== '').map((m) => m.data);
      assert.deepEqual(fromOther, said[other.name as 'Ada' | 'Bob'], `${v.name} got ${other.name}'s messages exactly once, in order`);
      const counts = await v.page.evaluate((id) => {
        const room = (window as any).__mesh.room;
        const limit = room.peerInput(id);
        const w = window as any;
        return { admitted: limit.admitted, refused: limit.refused, before: w.__limitBefore, seen: w.__fromEve, tooFarAhead: limit.tooFarAhead, state: room.state };
      }, eveId);
      process.stdout.write(`# ${v.name} from Eve: ${JSON.stringify(counts)}\n`);
      assert.ok(counts.refused > 0, `${v.name}'s rate limit dropped part of the flood`);
      assert.equal(counts.admitted + counts.refused - counts.before, counts.seen.frames, 'every parsed frame went through the limit');
      assert.equal(counts.state, 'connected');
      const link = (await v.links()).find((l) => l.id === otherId)!;
      assert.equal(link.state, 'connected', `${v.name}'s link to ${other.name} is up`);
      assert.equal(link.connectionsCreated, linkBefore.find((l) => l.id === link.id)?.connectionsCreated ?? 1, 'and was never replaced');
      assert.equal(await v.page.evaluate(() => ({} as any).polluted), undefined, 'no prototype was polluted');
    }
    assert.deepEqual(pageErrors, [], 'no page threw');
  });
});
