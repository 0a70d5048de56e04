import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { settle } from '../helpers/wait.js';

const NAMES = ['Ada', 'Bob', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'];

/** Text of every chat message shown on a page, as [name, text]. */
const chatLines = (page: Page) => page.evaluate(() => [...document.querySelector('mesh-chat')!.shadowRoot!.querySelectorAll('[part~="message"]')]
  .map((li) => [li.querySelector('[part="name"]')!.textContent!, li.querySelector('[part="text"]')!.textContent!] as [string, string]));

/** The room is connected with a `connected` link to each of the 7 others. */
const fullMesh = (page: Page, timeout = 60_000) => page.waitForFunction((n) => {
  const room = document.querySelector('mesh-room')!;
  return room.state === 'connected' && room.peers.length === n && room.peers.every((p) => p.state === 'connected');
}, NAMES.length - 1, { timeout, polling: 100 });

describe('an 8-person mesh (the most a room holds)', () => {
  let relay: RelayProcess;
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/=demo', '--static', '/dist=dist'] });
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
  }, HOOK);

  it('8 people on the demo page: 28 links all connected, and everyone\'s chat arrives exactly once, in order, everywhere', LONG_TEST, async () => {
    const pages: Page[] = [];
    for (const name of NAMES) {
      const { context, page } = await newUser(browser);
      contexts.push(context);
      await page.goto(`${relay.httpUrl}/?room=eight&name=${name}&media=none`);
      pages.push(page);
    }
    for (const page of pages) await fullMesh(page);
    const said: Record<string, string[]> = Object.fromEntries(NAMES.map((n) => [n, [1, 2, 3].map((k) => `${n} says ${k}`)]));
    for (let k = 0; k < 3; k++) {
      for (const [i, page] of pages.entries()) {
        const input = page.locator('mesh-chat').locator('textarea');
        await input.fill(said[NAMES[i]][k]);
        await input.press('Enter');
      }
    }
    const total = NAMES.length * 3;
    for (const page of pages) await page.waitForFunction((n) => document.querySelector('mesh-chat')!.messages.length >= n, total, { timeout: 30_000, polling: 100 });
    await settle();
    for (const [i, page] of pages.entries()) {
      const lines = await chatLines(page);
      assert.equal(lines.length, total, `${NAMES[i]} shows ${lines.length} messages, expected ${total}`);
      for (const who of NAMES) assert.deepEqual(lines.filter(([n]) => n === who).map(([, t]) => t), said[who], `${who} on ${NAMES[i]}'s page`);
      // Still a full mesh after the chat: every one of the 7 links connected.
      const links = await page.evaluate(() => document.querySelector('mesh-room')!.peers.map((p) => p.state));
      assert.deepEqual(links, Array(7).fill('connected'), `${NAMES[i]}'s links`);
    }
  });

  it('8 people with video at 160×120, 10 fps: every page decodes every other page\'s video', LONG_TEST, async () => {
    const pages: Page[] = [];
    for (const name of NAMES) {
      const { context, page } = await newUser(browser);
      contexts.push(context);
      await page.goto(relay.httpUrl + '/healthz');
      await page.evaluate(async ({ relay: url, name }) => {
        const { Room } = await import('/dist/core.js' as string);
        // Chromium's fake camera at a small size: 56 video streams on 2 cores.
        const mediaDevices = { getUserMedia: () => navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 10 } }) };
        const room = new Room({ relay: url, room: 'eight-video', name, media: { audio: false, video: true }, mediaDevices });
        (window as any).__room = room;
        await room.join();
      }, { relay: relay.wsUrl, name });
      pages.push(page);
    }
    const decoded = (page: Page) => page.evaluate(async () => {
      const room = (window as any).__room;
      const out: number[] = [];
      for (const peer of room.peers) {
        let frames = 0;
        const pc: RTCPeerConnection | null = room.linkTo(peer.id)?.connection ?? null;
        if (pc) for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
        out.push(frames);
      }
      return { state: room.state, links: room.peers.map((p: any) => p.state), frames: out };
    });
    for (const page of pages) {
      await page.waitForFunction(() => { const r = (window as any).__room; return r.state === 'connected' && r.peers.length === 7 && r.peers.every((p: any) => p.state === 'connected' && p.stream); }, undefined, { timeout: 90_000, polling: 200 });
    }
    const first = await Promise.all(pages.map(decoded));
    // Every stream keeps decoding: at least 10 more frames (1 s of video) from each of the 7 others.
    const deadline = Date.now() + 60_000;
    for (const [i, page] of pages.entries()) {
      for (;;) {
        const now = await decoded(page);
        if (now.frames.length === 7 && now.frames.every((f, k) => f >= first[i].frames[k] + 10)) break;
        if (Date.now() > deadline) assert.fail(`${NAMES[i]} stalled: ${JSON.stringify({ first: first[i], now })}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    for (const page of pages) await page.evaluate(() => (window as any).__room.close());
  });
});
