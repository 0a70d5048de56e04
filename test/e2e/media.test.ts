import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { CHROMIUM_ARGS, launchChromium, newUser } from '../helpers/browser.js';
import { Chaos } from '../helpers/chaos.js';

/** Per peer (by name): video frames decoded from it, and frames we sent it. */
function frames(page: Page): Promise<Record<string, { decoded: number; sent: number }>> {
  return page.evaluate(async () => {
    const room = document.querySelector('mesh-room')!;
    const out: Record<string, { decoded: number; sent: number }> = {};
    for (const peer of room.peers) {
      const pc = room.core!.linkTo(peer.id)?.connection;
      const f = { decoded: 0, sent: 0 };
      if (pc) for (const s of (await pc.getStats()).values()) {
        if (s.kind !== 'video') continue;
        if (s.type === 'inbound-rtp') f.decoded += s.framesDecoded ?? 0;
        if (s.type === 'outbound-rtp') f.sent += s.framesSent ?? 0;
      }
      out[peer.name] = f;
    }
    return out;
  });
}

/** Names shown on the video tiles of a page, in order. */
const tiles = (page: Page) => page.evaluate(() => {
  const grid = document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!;
  return [...grid.shadowRoot!.querySelectorAll('[part~="tile"] [part="caption"] > span:first-child')].map((s) => s.textContent);
});

const meshed = (page: Page, peers: number) => page.waitForFunction((n) => {
  const room = document.querySelector('mesh-room')!;
  return room.state === 'connected' && room.peers.length === n && room.peers.every((p) => p.state === 'connected' && p.stream);
}, peers, { timeout: 30_000, polling: 50 });

/** Waits until every other peer's video has decoded `more` frames beyond what it had. */
async function decodingFromAll(page: Page, more = 15): Promise<void> {
  const start = await frames(page);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await frames(page);
    if (Object.keys(start).every((n) => now[n].decoded >= start[n].decoded + more)) return;
    if (Date.now() > deadline) throw new Error(`video stalled: ${JSON.stringify({ start, now })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audio and video in the mesh', () => {
  let relay: RelayProcess;
  let browser: Browser;
  const chaos = new Chaos();
  let contexts: BrowserContext[] = [];
  let roomNo = 0;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/=demo', '--static', '/dist=dist'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    chaos.heal();
    for (const c of contexts) await c.close();
    contexts = [];
  }, HOOK);
  after(async () => {
    chaos.close();
    await browser?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  async function open(names: string[], room = `media-${++roomNo}`): Promise<Page[]> {
    const pages: Page[] = [];
    for (const name of names) {
      const { context, page } = await newUser(browser);
      contexts.push(context);
      await page.goto(`${relay.httpUrl}/?room=${room}&name=${name}&media=audio+video`);
      pages.push(page);
    }
    return pages;
  }

  it('two pages receive each other\'s video (frames decoded), with a tile each', TEST, async () => {
    const pages = await open(['Ada', 'Bob']);
    await Promise.all(pages.map((p) => meshed(p, 1)));
    for (const p of pages) await decodingFromAll(p);
    assert.deepEqual(await tiles(pages[0]), ['Ada (you)', 'Bob']);
    assert.deepEqual(await tiles(pages[1]), ['Bob (you)', 'Ada']);
  });

  it('four pages: everyone decodes everyone; tiles appear and disappear as people join and leave', TEST, async () => {
    const id = `media-${++roomNo}`;
    const pages = await open(['Ada', 'Bob', 'Cy'], id);
    await Promise.all(pages.map((p) => meshed(p, 2)));
    const [di] = await open(['Di'], id);
    pages.push(di);
    await Promise.all(pages.map((p) => meshed(p, 3)));
    for (const p of pages) await decodingFromAll(p);
    assert.deepEqual((await tiles(pages[0])).sort(), ['Ada (you)', 'Bob', 'Cy', 'Di']);
    assert.equal(await pages[0].evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot!.querySelector('[part="grid"]')!.getAttribute('data-count')), '4');
    // Di leaves with the controls' Leave button: her tile goes everywhere.
    await di.locator('mesh-media-controls').getByRole('button', { name: 'Leave' }).click();
    for (const p of pages.slice(0, 3)) {
      await p.waitForFunction(() => document.querySelector('mesh-room')!.peers.length === 2, undefined, { timeout: 10_000, polling: 50 });
      await p.waitForFunction(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot!.querySelectorAll('[part~="tile"]').length === 3, undefined, { timeout: 10_000, polling: 50 });
      assert.ok(!(await tiles(p)).includes('Di'));
    }
  });

  it('the camera button stops outgoing frames and starts them again, without renegotiating; others see "camera off"', TEST, async () => {
    const [ada, bob] = await open(['Ada', 'Bob']);
    await Promise.all([meshed(ada, 1), meshed(bob, 1)]);
    await decodingFromAll(bob);
    const sdp = () => ada.evaluate(() => { const r = document.querySelector('mesh-room')!; return r.core!.linkTo(r.peers[0].id)!.connection!.localDescription!.sdp; });
    const before = await sdp();
    await ada.locator('mesh-media-controls').getByRole('button', { name: 'Turn camera off' }).click();
    await bob.waitForFunction(() => document.querySelector('mesh-room')!.peers[0].media?.video === false, undefined, { timeout: 10_000, polling: 50 });
    const sentAtOff = (await frames(ada)).Bob.sent;
    await new Promise((r) => setTimeout(r, 700)); // a live camera sends ~20 frames in this window
    assert.ok((await frames(ada)).Bob.sent <= sentAtOff + 1, 'no frames while the camera is off');
    const bobTiles = await bob.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot!.textContent);
    assert.match(bobTiles ?? '', /camera off/);
    await ada.locator('mesh-media-controls').getByRole('button', { name: 'Turn camera on' }).click();
    await decodingFromAll(bob);
    assert.equal(await sdp(), before, 'the same session description: nothing was renegotiated');
  });

  it('screen sharing replaces the camera on the existing connection and gives it back after', TEST, async () => {
    const [ada, bob] = await open(['Ada', 'Bob']);
    await Promise.all([meshed(ada, 1), meshed(bob, 1)]);
    await decodingFromAll(bob);
    const sending = () => ada.evaluate(() => {
      const r = document.querySelector('mesh-room')!;
      const pc = r.core!.linkTo(r.peers[0].id)!.connection!;
      return { label: r.core!.linkTo(r.peers[0].id)!.videoSender!.track?.label ?? null, sdp: pc.localDescription!.sdp };
    });
    const before = await sending();
    await ada.locator('mesh-media-controls').getByRole('button', { name: 'Share screen' }).click();
    await bob.waitForFunction(() => document.querySelector('mesh-room')!.peers[0].media?.screen === true, undefined, { timeout: 10_000, polling: 50 });
    const shared = await sending();
    assert.match(shared.label ?? '', /^screen:/);
    await decodingFromAll(bob);
    await ada.locator('mesh-media-controls').getByRole('button', { name: 'Stop sharing' }).click();
    await bob.waitForFunction(() => { const m = document.querySelector('mesh-room')!.peers[0].media; return m?.screen === false && m.video === true; }, undefined, { timeout: 10_000, polling: 50 });
    const after = await sending();
    assert.doesNotMatch(after.label ?? '', /^screen:/, 'the camera is back');
    assert.equal(after.sdp, before.sdp, 'never renegotiated');
    await decodingFromAll(bob);
  });

  it('a user who denies the camera still chats and is told what to do', TEST, async () => {
    // A browser without the auto-accepting permission UI: getUserMedia is refused.
    const strict = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream') });
    try {
      const id = `media-${++roomNo}`;
      const [bob] = await open(['Bob'], id);
      const ctx = await strict.newContext();
      const denied = await ctx.newPage();
      await denied.goto(`${relay.httpUrl}/?room=${id}&name=Ada&media=audio+video`);
      await denied.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 });
      const message = await denied.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('[part="media-error"]')?.textContent);
      assert.match(message ?? '', /blocked for this page.*Allow them/);
      const input = denied.locator('mesh-chat').locator('textarea');
      await input.fill('no camera, still here');
      await input.press('Enter');
      await bob.waitForFunction(() => document.querySelector('mesh-chat')!.messages.some((m) => m.text === 'no camera, still here'), undefined, { timeout: 10_000, polling: 50 });
    } finally {
      await strict.close();
    }
  });

  it('video resumes after a UDP outage once ICE has restarted', TEST, async () => {
    const [ada, bob] = await open(['Ada', 'Bob']);
    await Promise.all([meshed(ada, 1), meshed(bob, 1)]);
    await decodingFromAll(bob);
    chaos.dropUdp();
    await bob.waitForFunction(() => document.querySelector('mesh-room')!.peers[0].state === 'reconnecting', undefined, { timeout: 20_000, polling: 50 });
    await new Promise((r) => setTimeout(r, 3000));
    chaos.heal();
    await Promise.all([meshed(ada, 1), meshed(bob, 1)]);
    await decodingFromAll(bob);
    await decodingFromAll(ada);
    const restarts = await bob.evaluate(() => { const r = document.querySelector('mesh-room')!; return r.core!.linkTo(r.peers[0].id)!.iceRestartsMade; });
    assert.ok(restarts >= 1);
  });
});
