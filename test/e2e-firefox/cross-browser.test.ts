import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { HOOK, LONG_TEST, TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { launchFirefox, newFirefoxUser } from '../helpers/firefox.js';
import { Chaos } from '../helpers/chaos.js';
import { makeFileInPage } from '../helpers/page-file.js';

/** What a test needs of a page, the same in playwright (Chromium) and puppeteer (Firefox). */
interface Tab {
  who: string;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** A real mouse click at page coordinates (it counts as a user gesture, which screen sharing needs). */
  click(x: number, y: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs in every page before its own scripts: cameras at 320×240, 15 fps. Four pages each encoding
 * for three peers share this machine's 2 cores; at the element's 720p a Chromium page's video to
 * a Firefox page could stall for lack of CPU (seen in 1 of 5 runs of the 2 + 2 room).
 */
const SMALL_CAMERA = `(() => {
  const md = navigator.mediaDevices;
  if (!md) return;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => gum(c && c.video ? { ...c, video: { ...(typeof c.video === 'object' ? c.video : {}), width: 320, height: 240, frameRate: 15 } } : c);
})();`;

/** Clicks the call-control button whose text is `label` (in `<mesh-media-controls>`, through shadow roots) with the mouse. */
async function clickControl(tab: Tab, label: string): Promise<void> {
  const at = await tab.evaluate((text) => {
    const find = (root: ParentNode): Element | null => {
      for (const el of root.querySelectorAll('*')) {
        if (el.localName === 'button' && el.textContent?.trim() === text && el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).host.localName === 'mesh-media-controls') return el;
        const inner = el.shadowRoot ? find(el.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    const button = find(document);
    if (!button) return null;
    button.scrollIntoView();
    const r = button.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }, label);
  assert.ok(at, `${tab.who}: no "${label}" button`);
  await tab.click(at.x, at.y);
}

/** Polls `fn` in the page until it returns true; fails naming `what` and the page. */
async function until<A>(tab: Tab, what: string, fn: (arg: A) => boolean | Promise<boolean>, arg: A, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tab.evaluate(fn, arg))) {
    if (Date.now() > deadline) throw new Error(`${tab.who}: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Per peer name: video frames decoded and audio packets received from it; RTT/loss/bitrate as the room measures them. */
const media = (tab: Tab) => tab.evaluate(async () => {
  const room = document.querySelector('mesh-room')!;
  const out: Record<string, { frames: number; audio: number; codecs: string[]; metrics: { rttMs: number | null; lossPercent: number | null; bitrateKbps: number | null } | null }> = {};
  for (const p of room.peers) {
    const pc = room.core!.linkTo(p.id)?.connection;
    const m = { frames: 0, audio: 0, codecs: [] as string[], metrics: p.metrics ? { rttMs: p.metrics.rttMs, lossPercent: p.metrics.lossPercent, bitrateKbps: p.metrics.bitrateKbps } : null };
    const stats = pc ? await pc.getStats() : new Map();
    for (const s of stats.values()) {
      if (s.type !== 'inbound-rtp') continue;
      if (s.kind === 'video') m.frames += s.framesDecoded ?? 0;
      if (s.kind === 'audio') m.audio += s.packetsReceived ?? 0;
      const codec = s.codecId ? stats.get(s.codecId) : undefined;
      m.codecs.push(`${s.kind}:${codec?.mimeType ?? '?'}:${s.packetsReceived ?? 0}p`); // which codec, and whether packets arrive at all
    }
    out[p.name] = m;
  }
  return out;
}, null);

const meshed = (tab: Tab, n: number) => until(tab, `connected to ${n} with media`, (k) => {
  const room = document.querySelector('mesh-room')!;
  return room.state === 'connected' && room.peers.length === k && room.peers.every((p) => p.state === 'connected' && !!p.stream);
}, n).catch(async (error: Error) => {
  // Say which link is missing what: the room's state, and per peer its link state and tracks.
  const seen = await tab.evaluate(() => {
    const room = document.querySelector('mesh-room')!;
    return {
      room: room.state,
      peers: room.peers.map((p) => {
        const link = room.core!.linkTo(p.id);
        const c = link?.connection ?? null;
        return {
          name: p.name, state: p.state, tracks: p.stream?.getTracks().map((t) => t.kind) ?? null,
          pc: c && `${c.connectionState}/${c.iceConnectionState}/${c.signalingState}`,
          polite: link?.polite, connections: link?.connectionsCreated, glare: link?.glare, warnings: link?.recentWarnings,
        };
      }),
    };
  }, null).catch(() => null);
  throw new Error(`${error.message}: ${JSON.stringify(seen)}`);
});

/** Every other peer's video and audio keep arriving (more frames and packets than a moment ago). */
async function receivingFromAll(tab: Tab): Promise<void> {
  const start = await media(tab);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await media(tab);
    if (Object.keys(start).every((n) => now[n].frames >= start[n].frames + 10 && now[n].audio >= start[n].audio + 10)) return;
    if (Date.now() > deadline) throw new Error(`${tab.who}: media stalled: ${JSON.stringify({ start, now })}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const makeFile = (tab: Tab, size: number) => tab.evaluate(makeFileInPage, size);

/** Accepts the next file offered to the page; `window.__got` becomes its size and SHA-256 once verified and in. */
const expectFile = (tab: Tab) => tab.evaluate(() => {
  const w = window as any;
  const room = document.querySelector('mesh-room')!.core!;
  w.__got = null;
  w.__statuses = [];
  room.addEventListener('file-offer', (e) => room.acceptFile(e.detail.id));
  room.addEventListener('file-update', (e) => { if (e.detail.direction === 'in' && w.__statuses.at(-1) !== e.detail.status) w.__statuses.push(e.detail.status); });
  room.addEventListener('file-received', async (e) => {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await e.detail.blob.arrayBuffer()));
    w.__got = { size: e.detail.blob.size, sha: [...d].map((b) => b.toString(16).padStart(2, '0')).join('') };
  });
}, null);

/** Bytes of the incoming file so far. */
const bytesIn = (tab: Tab) => tab.evaluate(() => document.querySelector('mesh-room')!.core!.transfers.find((t) => t.direction === 'in')?.bytes ?? 0, null);

const chatSend = (tab: Tab, text: string) => tab.evaluate((t) => document.querySelector('mesh-chat')!.send(t), text);
const chatTexts = (tab: Tab) => tab.evaluate(() => document.querySelector('mesh-chat')!.messages.map((m) => m.text), null);

describe('mixed browsers: Firefox ESR and Chromium in one room', () => {
  let relay: RelayProcess;
  let chromium: ChromiumBrowser;
  let firefox: FirefoxBrowser;
  const chaos = new Chaos();
  let tabs: Tab[] = [];
  let roomNo = 0;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/=demo', '--static', '/dist=dist'] });
    await relay.start();
    [chromium, firefox] = await Promise.all([launchChromium(), launchFirefox()]);
  }, HOOK);
  afterEach(async () => {
    chaos.heal();
    for (const t of tabs) await t.close().catch(() => {});
    tabs = [];
  }, HOOK);
  after(async () => {
    chaos.close();
    await chromium?.close();
    await firefox?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  /** Opens the demo page for each user, `C:name` in Chromium and `F:name` in Firefox, in one room. */
  async function open(users: string[]): Promise<Tab[]> {
    const room = `mixed-${++roomNo}`;
    const out: Tab[] = [];
    for (const u of users) {
      const [kind, name] = u.split(':');
      const url = `${relay.httpUrl}/?room=${room}&name=${name}&media=audio+video`;
      let tab: Tab;
      if (kind === 'F') {
        const { context, page } = await newFirefoxUser(firefox);
        await page.evaluateOnNewDocument(SMALL_CAMERA);
        await page.goto(url);
        tab = { who: `${name} (Firefox)`, evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never, click: (x, y) => page.mouse.click(x, y), close: () => context.close() };
      } else {
        const { context, page } = await newUser(chromium);
        await page.addInitScript(SMALL_CAMERA);
        await page.goto(url);
        tab = { who: `${name} (Chromium)`, evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never, click: (x, y) => page.mouse.click(x, y), close: () => context.close() };
      }
      out.push(tab);
      tabs.push(tab);
    }
    const settled = await Promise.allSettled(out.map((t) => meshed(t, out.length - 1)));
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new Error(failed.join('\n')); // every page's view, not only the first to fail
    return out;
  }

  /** Each sends one line; everyone ends with every line exactly once. */
  async function chatExactlyOnce(all: Tab[]): Promise<void> {
    const lines = all.map((t, i) => `hello from ${i} ${t.who}`);
    for (const [i, t] of all.entries()) await chatSend(t, lines[i]);
    for (const t of all) {
      await until(t, 'every chat line', (want) => { const got = document.querySelector('mesh-chat')!.messages.map((m) => m.text); return want.every((l) => got.includes(l)); }, lines);
    }
    await new Promise((r) => setTimeout(r, 500)); // a duplicate by the second path would arrive within this
    for (const t of all) {
      const got = (await chatTexts(t)).filter((x) => lines.includes(x));
      assert.deepEqual([...got].sort(), [...lines].sort(), `${t.who} got each line exactly once: ${JSON.stringify(got)}`);
    }
  }

  it('Firefox ↔ Chromium: chat exactly once, video and audio both ways, quality figures on both sides, mute and camera off seen', TEST, async () => {
    const [fx, cr] = await open(['F:Fay', 'C:Cal']);
    await chatExactlyOnce([fx, cr]);
    await Promise.all([receivingFromAll(fx), receivingFromAll(cr)]);
    for (const t of [fx, cr]) {
      // Firefox reports no availableOutgoingBitrate and no transport stats: RTT comes from its nominated pair.
      await until(t, 'RTT and sent bitrate measured', () => {
        const m = document.querySelector('mesh-room')!.peers[0].metrics;
        return !!m && m.rttMs !== null && m.bitrateKbps !== null && m.lossPercent !== null;
      }, null, 20_000).catch(async (error: Error) => {
        // Which figure is missing, and what the browser's candidate pairs say (RTT comes from the selected one).
        const seen = await t.evaluate(async () => {
          const r = document.querySelector('mesh-room')!;
          const pc = r.core!.linkTo(r.peers[0].id)!.connection!;
          const pairs = [...(await pc.getStats()).values()].filter((s) => s.type === 'candidate-pair' || s.type === 'transport')
            .map((s) => ({ type: s.type, state: s.state, nominated: s.nominated, selected: s.selected, rtt: s.currentRoundTripTime, sel: s.selectedCandidatePairId }));
          return { metrics: r.peers[0].metrics, pairs };
        }, null).catch(() => null);
        throw new Error(`${error.message}: ${JSON.stringify(seen)}`);
      });
    }
    // Firefox mutes and turns its camera off; Chromium sees both, and the other way round.
    for (const [from, to] of [[fx, cr], [cr, fx]]) {
      await from.evaluate(async () => { const lm = document.querySelector('mesh-room')!.core!.localMedia!; await lm.setAudioEnabled(false); await lm.setVideoEnabled(false); }, null);
      await until(to, 'the peer muted with its camera off', () => { const m = document.querySelector('mesh-room')!.peers[0].media; return m?.audio === false && m.video === false; }, null);
      await from.evaluate(async () => { const lm = document.querySelector('mesh-room')!.core!.localMedia!; await lm.setAudioEnabled(true); await lm.setVideoEnabled(true); }, null);
      await until(to, 'the peer back on', () => { const m = document.querySelector('mesh-room')!.peers[0].media; return m?.audio === true && m.video === true; }, null);
    }
    await Promise.all([receivingFromAll(fx), receivingFromAll(cr)]);
  });

  it('screen sharing: Chromium shares and Firefox sees the screen; headless Firefox has no screen, says so and keeps its camera going', TEST, async () => {
    const [fx, cr] = await open(['F:Fay', 'C:Cal']);
    const sharing = (tab: Tab) => tab.evaluate(() => document.querySelector('mesh-room')!.peers[0].media?.screen === true, null);
    await clickControl(cr, 'Share screen');
    await until(fx, 'Chromium\'s screen share seen', () => document.querySelector('mesh-room')!.peers[0].media?.screen === true, null);
    await receivingFromAll(fx); // frames keep coming: the screen, on the same connection
    await clickControl(cr, 'Stop sharing');
    await until(fx, 'the camera back', () => { const m = document.querySelector('mesh-room')!.peers[0].media; return m?.screen === false && m.video === true; }, null);
    // Firefox headless has no screen: getDisplayMedia fails with NotFoundError. The page says so
    // in a typed, visible error, and the call goes on as it was.
    await clickControl(fx, 'Share screen');
    await until(fx, 'the media error shown', () => document.querySelector('mesh-room')!.mediaError?.code === 'media-unavailable', null);
    assert.equal(await sharing(cr), false, 'Chromium never saw a share that did not start');
    await receivingFromAll(cr);
  });

  it('Firefox ↔ Chromium: a UDP outage; ICE restarts, media and chat flow again', TEST, async () => {
    assert.ok(Chaos.available(), `nft must work here: ${Chaos.refusal()}`);
    const [fx, cr] = await open(['F:Fay', 'C:Cal']);
    await Promise.all([receivingFromAll(fx), receivingFromAll(cr)]);
    chaos.dropUdp();
    await until(cr, 'the link reconnecting', () => document.querySelector('mesh-room')!.peers[0].state === 'reconnecting', null);
    // One side restarts ICE (the restart's offer restarts the other's too): whichever noticed first.
    const restarts = (tab: Tab) => tab.evaluate(() => { const r = document.querySelector('mesh-room')!; return r.core!.linkTo(r.peers[0].id)?.iceRestartsMade ?? 0; }, null);
    const deadline = Date.now() + 30_000;
    while ((await restarts(fx)) + (await restarts(cr)) === 0) {
      if (Date.now() > deadline) throw new Error('neither Firefox nor Chromium restarted ICE within 30 s of the UDP outage');
      await new Promise((r) => setTimeout(r, 100));
    }
    chaos.heal();
    await Promise.all([meshed(fx, 1), meshed(cr, 1)]);
    await Promise.all([receivingFromAll(fx), receivingFromAll(cr)]);
    await chatExactlyOnce([fx, cr]);
  });

  it('Firefox ↔ Chromium: 20 MB each way at once through a UDP outage mid-transfer: both resume and arrive with the same SHA-256', LONG_TEST, async () => {
    assert.ok(Chaos.available(), `nft must work here: ${Chaos.refusal()}`);
    const MB = 1024 * 1024;
    const pair = await open(['F:Fay', 'C:Cal']);
    const shas = await Promise.all(pair.map((t) => makeFile(t, 20 * MB)));
    await Promise.all(pair.map(expectFile));
    for (const t of pair) await t.evaluate(() => { document.querySelector('mesh-room')!.core!.sendFile((window as any).__file, { name: 'twenty.bin' }); }, null);
    for (const t of pair) await until(t, 'the first bytes in', () => (document.querySelector('mesh-room')!.core!.transfers.find((x) => x.direction === 'in')?.bytes ?? 0) > 0, null);
    chaos.dropUdp();
    const [fx, cr] = pair;
    await until(cr, 'the link reconnecting', () => document.querySelector('mesh-room')!.peers[0].state === 'reconnecting', null);
    await until(fx, 'the link reconnecting', () => document.querySelector('mesh-room')!.peers[0].state === 'reconnecting', null);
    const stalled = await Promise.all(pair.map(bytesIn));
    chaos.heal();
    for (const [i, t] of pair.entries()) {
      await until(t, 'the whole file, verified', () => (window as any).__got !== null, null, 120_000).catch(async (error: Error) => {
        const view = (x: Tab) => x.evaluate(() => {
          const r = document.querySelector('mesh-room')!;
          return { link: r.peers[0]?.state, statuses: (window as any).__statuses, transfers: r.core!.transfers.map((f) => ({ direction: f.direction, status: f.status, bytes: f.bytes, error: f.error })), warnings: r.core!.linkTo(r.peers[0].id)?.recentWarnings };
        }, null).catch((e: Error) => e.message);
        throw new Error(`${error.message}: ${JSON.stringify({ fx: await view(fx), cr: await view(cr) })}`);
      });
      const got = await t.evaluate(() => (window as any).__got as { size: number; sha: string }, null);
      assert.deepEqual(got, { size: 20 * MB, sha: shas[1 - i] }, `${t.who} got the other's file intact`);
      assert.ok(stalled[i] < 20 * MB, `${t.who}: the outage came before the end (${stalled[i]} bytes in)`);
      const statuses = await t.evaluate(() => (window as any).__statuses as string[], null);
      assert.equal(statuses.at(-1), 'done', `${t.who}: ${statuses.join(' → ')}`);
    }
  });

  it('Chromium ↔ Firefox the other way round (Firefox joins second, so Firefox offers and Chromium answers): video and audio both ways', TEST, async () => {
    const pair = await open(['C:Cal', 'F:Fay']);
    await chatExactlyOnce(pair);
    await Promise.all(pair.map(receivingFromAll));
  });

  it('Firefox ↔ Firefox: chat exactly once, video and audio both ways', TEST, async () => {
    const pair = await open(['F:Fay', 'F:Fox']);
    await chatExactlyOnce(pair);
    await Promise.all(pair.map(receivingFromAll));
  });

  it('2 Firefox + 2 Chromium in one room: everyone chats exactly once and receives everyone', TEST, async () => {
    const four = await open(['F:Fay', 'C:Cal', 'F:Fox', 'C:Cy']);
    for (const t of four) {
      const width = await t.evaluate(() => document.querySelector('mesh-room')!.core!.localMedia!.video?.getSettings().width, null);
      assert.equal(width, 320, `${t.who}: the small camera of SMALL_CAMERA`);
    }
    await chatExactlyOnce(four);
    await Promise.all(four.map(receivingFromAll));
  });
});
