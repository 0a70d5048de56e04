import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { Chaos } from '../helpers/chaos.js';

const NAMES = ['Ada', 'Bob', 'Cy', 'Di'];

describe('rooms that heal themselves', () => {
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

  async function room(n: number, relayArgs: string[] = [], tuning: Parameters<typeof PeerPage.open>[2] extends infer O ? Partial<O> : never = {}) {
    relay = new RelayProcess({ args: ['--static', '/dist=dist', ...relayArgs] });
    await relay.start();
    const id = `heal-${++roomNo}`;
    pages = [];
    for (const name of NAMES.slice(0, n)) {
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: relay.wsUrl, room: id, name, ...tuning });
      await p.join();
      pages.push(p);
    }
    await Promise.all(pages.map((p) => p.meshed(n - 1)));
    return pages;
  }

  /** Every page received every other page's messages exactly once, in per-sender order. */
  async function assertExactlyOnce(sentBy: Map<PeerPage, unknown[]>) {
    const ids = new Map<PeerPage, string>();
    for (const p of pages) ids.set(p, await p.selfId());
    for (const p of pages) {
      const log = await p.log();
      const others = log.messages.filter((m) => !m.self);
      assert.equal(new Set(others.map((m) => m.id)).size, others.length, `${p.name} got a duplicate`);
      for (const [sender, data] of sentBy) {
        if (sender === p) continue;
        const got = others.filter((m) => m.from === ids.get(sender)).map((m) => m.data);
        assert.deepEqual(got, data, `${p.name} from ${sender.name}`);
      }
    }
  }

  it('4 peers: the relay is killed and restarted on the same port; everyone reconnects by itself and the peer links stay open throughout', TEST, async () => {
    await room(4);
    const before = await Promise.all(pages.map((p) => p.links()));
    const sent = new Map<PeerPage, unknown[]>(pages.map((p) => [p, []]));
    const send = async (p: PeerPage, data: unknown) => { await p.send(data); sent.get(p)!.push(data); };
    /** Waits until every page has every message the others sent so far. */
    const allReceived = () => Promise.all(pages.map((p) => p.received([...sent].filter(([q]) => q !== p).reduce((n, [, d]) => n + d.length, 0))));
    await send(pages[0], 'before');

    await relay.kill('SIGKILL');
    await Promise.all(pages.map((p) => p.reach('reconnecting')));
    // With the relay down, messages still flow peer to peer.
    await send(pages[1], 'during');
    await allReceived();

    await relay.start();
    await Promise.all(pages.map((p) => p.reach('connected', 30_000)));
    await send(pages[2], 'after');
    await allReceived();

    for (const [i, p] of pages.entries()) {
      const links = await p.links();
      assert.equal(links.length, 3, `${p.name} still sees 3 peers`);
      for (const link of links) {
        const old = before[i].find((l) => l.id === link.id)!;
        assert.equal(link.connectionsCreated, old.connectionsCreated, `${p.name}→${link.name}: the same RTCPeerConnection`);
        assert.equal(link.state, 'connected');
      }
      const log = await p.log();
      for (const states of Object.values(log.linkStates)) assert.ok(!states.includes('reconnecting'), `${p.name}: a link went down: ${states}`);
      assert.equal(log.lost, 0);
    }
    await assertExactlyOnce(sent);
  });

  it('3 peers: all UDP dropped for 5 s; links go reconnecting, ICE restarts, and data flows peer to peer again after healing', TEST, async () => {
    await room(3);
    chaos.dropUdp();
    await Promise.all(pages.map((p) => p.anyLink('reconnecting', 20_000)));
    await Promise.all(pages.map((p) => p.reach('reconnecting')));
    await new Promise((r) => setTimeout(r, 5000)); // the outage lasts 5 s beyond its detection
    chaos.heal();
    await Promise.all(pages.map((p) => p.meshed(2, 30_000)));
    const restarts = (await Promise.all(pages.map((p) => p.links()))).flat().reduce((s, l) => s + l.iceRestartsMade, 0);
    assert.ok(restarts >= 1, 'ICE was restarted');
    // Data flows over the data channels again (volatile messages travel on nothing else).
    const healedAt = Date.now();
    const arrived = pages.slice(1).map((p) => p.page.waitForFunction(() => (window as any).__mesh.log.messages.some((m: any) => m.data?.ping), undefined, { timeout: 20_000, polling: 20 }));
    const pinger = setInterval(() => void pages[0].page.evaluate(() => (window as any).__mesh.room.send({ ping: Date.now() }, { durable: false })).catch(() => {}), 100);
    try {
      await Promise.all(arrived);
    } finally {
      clearInterval(pinger);
    }
    process.stdout.write(`# peer-to-peer data again ${Date.now() - healedAt} ms after the links reconnected\n`);
  });

  it('2 peers: a black-holed relay (sockets open, no bytes) is found by the heartbeat, and the client reconnects once it heals', TEST, async () => {
    await room(2, [], { signaling: { pingIntervalMs: 500, pingTimeoutMs: 2000 } });
    chaos.blackholeTcp(relay.port);
    await Promise.all(pages.map((p) => p.reach('reconnecting', 10_000)));
    chaos.heal();
    await Promise.all(pages.map((p) => p.reach('connected', 20_000)));
    const links = await pages[0].links();
    assert.equal(links[0].connectionsCreated, 1, 'the peer link was never replaced');
    await pages[1].send('after the black hole');
    await pages[0].received(1);
  });
});
