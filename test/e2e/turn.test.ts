import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { Coturn } from '../helpers/coturn.js';

const SECRET = 'turn-test-secret';

/** What one side of a link sees: state, whether it runs through TURN, and the TURN username in use. */
const linkInfo = (p: PeerPage) => p.page.evaluate(async () => {
  const r = (window as any).__mesh.room;
  const link = r.linkTo(r.peers[0].id);
  const pc = link.connection;
  return { state: link.state as string, relayed: await link.usesRelay(), username: pc?.getConfiguration().iceServers?.[0]?.username as string | undefined };
});

describe('TURN (real coturn, relay-only ICE)', () => {
  let turn: Coturn;
  let relay: RelayProcess;
  let browser: Browser;
  const pages: PeerPage[] = [];

  before(async () => {
    // Short lifetimes, so credentials that are not refreshed break the call within the test.
    turn = new Coturn(SECRET, ['--max-allocate-lifetime=30', '--permission-lifetime=30', '--channel-lifetime=30']);
    await turn.start();
    relay = new RelayProcess({ args: ['--static', '/dist=dist', '--open-turn', '--turn-secret', SECRET, '--turn-urls', turn.url, '--turn-ttl', '20'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    for (const p of pages) await p.close();
    await browser?.close();
    await relay?.kill();
    await turn?.stop();
  }, HOOK);

  it('connects through TURN only, and a call outlives its 20 s credentials because they are refreshed (one without refresh breaks)', LONG_TEST, async () => {
    const relayOnly = { rtcConfig: { iceTransportPolicy: 'relay' as const } };
    const open = async (room: string, name: string, blockRefresh: boolean) => {
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: relay.wsUrl, room, name, ...relayOnly });
      // The control room cannot refresh (an injected fault: its fetch fails).
      if (blockRefresh) await p.page.evaluate(() => { (window as any).fetch = () => Promise.reject(new Error('blocked by the test')); });
      await p.join();
      pages.push(p);
      return p;
    };
    const [a, b] = [await open('refreshing', 'A', false), await open('refreshing', 'B', false)];
    const [c, d] = [await open('stale', 'C', true), await open('stale', 'D', true)];
    await Promise.all([a, b, c, d].map((p) => p.meshed(1)));
    const first = await linkInfo(a);
    assert.equal(first.relayed, true, 'the path runs through coturn');
    assert.equal((await linkInfo(c)).relayed, true);

    // Past the credentials' expiry (20 s) and the allocations' lifetime (30 s).
    const deadline = Date.now() + 50_000;
    let refreshedDown = 0;
    let staleWentDown = false;
    while (Date.now() < deadline) {
      const [ia, ic] = [await linkInfo(a), await linkInfo(c)];
      if (ia.state !== 'connected') refreshedDown++;
      if (ic.state !== 'connected') staleWentDown = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const last = await linkInfo(a);
    assert.equal(last.state, 'connected');
    assert.equal(last.relayed, true);
    assert.notEqual(last.username, first.username, 'credentials were refreshed');
    assert.ok(refreshedDown <= 2, `the refreshed call was down in ${refreshedDown} samples`);
    assert.equal(staleWentDown, true, 'without refresh the call breaks: the test can tell the difference');
    assert.ok((await c.log()).errors.includes('turn-unavailable'), 'the page without refresh was told');

    // Data still flows peer to peer (through TURN) on the refreshed call.
    const t = Date.now();
    await a.page.evaluate((t) => (window as any).__mesh.room.send({ t }, { durable: false }), t);
    await b.page.waitForFunction((t) => (window as any).__mesh.log.messages.some((m: any) => m.data?.t === t), t, { timeout: 10_000, polling: 50 });
  });
});
