import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { Chaos } from '../helpers/chaos.js';

const NAMES = ['Ada', 'Bob', 'Cy', 'Di'];

/**
 * The issue-16 goals with default settings everywhere (no test tuning), asserted with a margin
 * for a loaded 2-core machine; bench/outage.mjs holds the exact figures. Goals: every member back
 * ≤ 3 s after the relay is, a black hole noticed ≤ 5 s, a dead peer link ≤ 2 s.
 */
describe('outages are noticed in seconds and felt only as long as they last', () => {
  let browser: Browser;
  let relay: RelayProcess;
  const chaos = new Chaos();
  let pages: PeerPage[] = [];
  let roomNo = 0;

  before(async () => {
    assert.ok(Chaos.available(), 'nft must work here: npm test runs this inside a network namespace as root');
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    chaos.heal();
    for (const p of pages) await p.close();
    pages = [];
    await relay?.kill();
  }, HOOK);
  after(async () => {
    chaos.close();
    await browser?.close();
  }, HOOK);

  async function room(n: number) {
    relay = new RelayProcess({ args: ['--static', '/dist=dist'] });
    await relay.start();
    const id = `fast-${++roomNo}`;
    for (const name of NAMES.slice(0, n)) {
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: relay.wsUrl, room: id, name });
      await p.join();
      pages.push(p);
    }
    await Promise.all(pages.map((p) => p.meshed(n - 1)));
  }

  /** Milliseconds from `since` until `wait` resolves (the pages poll every 20 ms). */
  const timed = async (since: number, wait: Promise<unknown>) => { await wait; return Date.now() - since; };

  it('4 peers, relay down 12 s (longer than the first backoff steps): every member is connected again within 6 s of the relay listening', TEST, async () => {
    await room(4);
    await relay.kill('SIGKILL');
    await Promise.all(pages.map((p) => p.reach('reconnecting')));
    // Old full-jitter backoff: by now retries wait up to 8–16 s each, so someone is usually late.
    await new Promise((r) => setTimeout(r, 12_000));
    await relay.start();
    const listening = Date.now();
    const back = await Promise.all(pages.map((p) => timed(listening, p.reach('connected', 40_000))));
    assert.ok(Math.max(...back) <= 6000, `every member back within 6 s of the relay (goal 3 s): ${back} ms`);
  });

  it('2 peers, relay black-holed (sockets open, no bytes): each member is reconnecting within 8 s, and connected within 6 s of healing', TEST, async () => {
    await room(2);
    const start = Date.now();
    chaos.blackholeTcp(relay.port);
    const detect = await Promise.all(pages.map((p) => timed(start, p.reach('reconnecting', 45_000))));
    assert.ok(Math.max(...detect) <= 8000, `black hole noticed within 8 s (goal 5 s; the 10 s / 30 s ping alone takes 30 s): ${detect} ms`);
    await new Promise((r) => setTimeout(r, 1000));
    chaos.heal();
    const healed = Date.now();
    const back = await Promise.all(pages.map((p) => timed(healed, p.reach('connected', 30_000))));
    assert.ok(Math.max(...back) <= 6000, `back within 6 s of healing (goal 2 s): ${back} ms`);
    assert.equal((await pages[0].links())[0].connectionsCreated, 1, 'the peer link carried on meanwhile');
  });

  it('3 peers, all UDP dropped: every link shows reconnecting within 4 s (ICE consent alone takes 5.5 s), ICE restarts, and data flows again after healing', TEST, async () => {
    await room(3);
    const start = Date.now();
    chaos.dropUdp();
    const detect = await Promise.all(pages.map((p) => timed(start, p.page.waitForFunction(() => {
      const peers = (window as any).__mesh.room.peers;
      return peers.length === 2 && peers.every((x: any) => x.state === 'reconnecting');
    }, undefined, { timeout: 30_000, polling: 20 }))));
    assert.ok(Math.max(...detect) <= 4000, `every link reconnecting within 4 s (goal 2 s): ${detect} ms`);
    const restarts = (await Promise.all(pages.map((p) => p.links()))).flat().reduce((s, l) => s + l.iceRestartsMade, 0);
    assert.ok(restarts >= 1, 'ICE restarted as soon as the silence was noticed');
    chaos.heal();
    await Promise.all(pages.map((p) => p.meshed(2, 30_000)));
    const arrived = pages.slice(1).map((p) => p.page.waitForFunction(() => (window as any).__mesh.log.messages.some((m: any) => m.data?.ping), undefined, { timeout: 20_000, polling: 20 }));
    const pinger = setInterval(() => void pages[0].page.evaluate(() => (window as any).__mesh.room.send({ ping: Date.now() }, { durable: false })).catch(() => {}), 50);
    try {
      await Promise.all(arrived);
    } finally {
      clearInterval(pinger);
    }
  });

  it('a healthy mesh stays connected: no link is taken for silent while the rooms are idle for 8 s', TEST, async () => {
    await room(3);
    await new Promise((r) => setTimeout(r, 8000));
    for (const p of pages) {
      const log = await p.log();
      for (const [id, states] of Object.entries(log.linkStates)) assert.ok(!states.includes('reconnecting'), `${p.name}→${id}: ${states}`);
      assert.ok(!log.states.includes('reconnecting'), `${p.name}: ${log.states}`);
    }
  });
});
