// Simulcast through the SFU (issue 19): a publisher sends three layers; a subscriber whose link to
// the SFU turns poor (partial loss with nft's numgen on that one connection's port) is switched to
// a lower layer within seconds, and back to the highest once the link has recovered, by the health
// monitor over its subscription. Real Janus, relay and Chromium in the test namespace.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { Chaos } from '../helpers/chaos.js';
import { Janus } from '../helpers/janus.js';

/** A core Room in SFU mode; `camera` sends the fake camera at 320×240, 10 fps (the three layers: 320, 160, 80 wide). */
async function member(browser: Browser, relay: RelayProcess, name: string, camera: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const user = await newUser(browser);
  await user.page.goto(relay.httpUrl + '/healthz');
  await user.page.evaluate(async ({ url, name, camera }) => {
    const { Room } = await import('/dist/core.js' as string);
    const mediaDevices = { getUserMedia: () => navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 10 } }) };
    const r = new Room({ relay: url, room: 'simulcast', name, mode: 'sfu', media: camera ? { audio: false, video: true } : null, mediaDevices, healthIntervalMs: 1000 });
    (window as any).__room = r;
    await r.join();
  }, { url: relay.wsUrl, name, camera });
  return user;
}

/** The width of the video a page decodes from the SFU, and its subscription's local UDP port. */
const received = (page: Page) => page.evaluate(async () => {
  const pc: RTCPeerConnection | undefined = (window as any).__room.sfuConnections[0];
  if (!pc) return { width: 0, port: 0 };
  let width = 0;
  let port = 0;
  const stats = await pc.getStats();
  for (const s of stats.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') width = s.frameWidth ?? 0;
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') port = stats.get(s.localCandidateId)?.port ?? 0;
  }
  return { width, port };
});

async function waitFor(page: Page, what: string, ok: (r: { width: number; port: number }) => boolean, ms: number): Promise<{ width: number; port: number }> {
  const deadline = Date.now() + ms;
  const seen: number[] = [];
  for (;;) {
    const r = await received(page);
    if (seen[seen.length - 1] !== r.width) seen.push(r.width);
    if (ok(r)) return r;
    if (Date.now() > deadline) assert.fail(`${what} within ${ms / 1000} s; widths seen: ${seen.join(' → ')}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('simulcast through the SFU (real Janus)', () => {
  const janus = new Janus();
  const chaos = new Chaos();
  let relay: RelayProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.equal(Chaos.refusal(), null);
    await janus.start();
    relay = new RelayProcess({ args: ['--static', '/dist=dist', ...janus.relayArgs] });
    await relay.start();
    // Chromium sends fewer layers of a small picture; the test camera is small to spare the CPU.
    browser = await launchChromium(['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/']);
  }, HOOK);
  after(async () => {
    chaos.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await relay?.kill('SIGTERM');
    await janus.close();
  }, HOOK);

  it('a subscriber whose link turns poor gets a lower layer within seconds, and the highest again after it recovers', LONG_TEST, async () => {
    const ada = await member(browser, relay, 'Ada', true);
    const bob = await member(browser, relay, 'Bob', false);
    contexts.push(ada.context, bob.context);
    const good = await waitFor(bob.page, 'Bob decodes Ada at full size', (r) => r.width === 320 && r.port > 0, 60_000);
    chaos.dropUdpFractionTo(good.port, 30);
    const t0 = Date.now();
    await waitFor(bob.page, 'a lower layer on a poor link', (r) => r.width > 0 && r.width < 320, 30_000);
    const down = Date.now() - t0;
    chaos.heal();
    const t1 = Date.now();
    await waitFor(bob.page, 'the highest layer after recovery', (r) => r.width === 320, 60_000);
    process.stdout.write(`# simulcast: lower layer ${down} ms after 30 % loss began, highest again ${Date.now() - t1} ms after it ended\n`);
    // Ada's own video is not touched by Bob's link: one publication, three layers sent all along.
    const layers = await ada.page.evaluate(async () => {
      const pc: RTCPeerConnection = (window as any).__room.sfuConnections[0];
      let n = 0;
      for (const s of (await pc.getStats()).values()) if (s.type === 'outbound-rtp' && s.kind === 'video' && (s.framesEncoded ?? 0) > 0) n++;
      return n;
    });
    assert.equal(layers, 3, 'the publisher encodes three layers');
  });
});
