import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { Chaos } from '../helpers/chaos.js';
import { settle } from '../helpers/wait.js';

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

  /** Waits until every page has every message the others sent. */
  const allReceived = (sentBy: Map<PeerPage, unknown[]>, timeoutMs = 20_000) => Promise.all(pages.map((p) =>
    p.received([...sentBy].filter(([q]) => q !== p).reduce((n, [, d]) => n + d.length, 0), timeoutMs)));

  /**
   * Every page received every other page's messages exactly once, in per-sender order — checked
   * after a settle window, so that a late duplicate (a resend after the outage) is caught too.
   */
  async function assertExactlyOnce(sentBy: Map<PeerPage, unknown[]>) {
    await settle();
    const ids = new Map<PeerPage, string>();
    for (const p of pages) ids.set(p, await p.selfId());
    for (const p of pages) {
      const log = await p.log();
      const others = log.messages.filter((m) => !m.self);
      const expected = [...sentBy].filter(([q]) => q !== p).reduce((n, [, d]) => n + d.length, 0);
      assert.equal(others.length, expected, `${p.name} got ${others.length} messages from the others, expected ${expected}`);
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
    await send(pages[0], 'before');

    await relay.kill('SIGKILL');
    await Promise.all(pages.map((p) => p.reach('reconnecting')));
    // With the relay down, messages still flow peer to peer.
    await send(pages[1], 'during');
    await allReceived(sent);

    await relay.start();
    await Promise.all(pages.map((p) => p.reach('connected', 30_000)));
    await send(pages[2], 'after');
    await allReceived(sent);

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

  it('3 peers: all UDP dropped for 5 s; links go reconnecting, ICE restarts, data flows peer to peer again after healing, and what was sent during the outage arrives exactly once', TEST, async () => {
    await room(3);
    const sent = new Map<PeerPage, unknown[]>(pages.map((p) => [p, []]));
    const send = async (p: PeerPage, data: unknown) => { await p.send(data); sent.get(p)!.push(data); };
    await send(pages[0], 'before the outage');
    await allReceived(sent);
    chaos.dropUdp();
    await Promise.all(pages.map((p) => p.anyLink('reconnecting', 20_000)));
    await Promise.all(pages.map((p) => p.reach('reconnecting')));
    // Sent with every peer link down: the relay carries them now, and the links' send queues hold
    // them for the direct path, which flushes them once healed — both copies must make one delivery.
    for (const p of pages) for (let k = 1; k <= 3; k++) await send(p, `${p.name} during the outage ${k}`);
    await allReceived(sent);
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
    // Pings are best effort (not counted); the durable messages are, after a settle window.
    for (const p of pages) await p.page.evaluate(() => { const log = (window as any).__mesh.log; log.messages = log.messages.filter((m: any) => !m.data?.ping); });
    await assertExactlyOnce(sent);
  });

  it('2 peers: a black-holed relay (sockets open, no bytes) is found by the heartbeat, the client reconnects once it heals, and what was sent meanwhile arrives exactly once', TEST, async () => {
    await room(2, [], { signaling: { pingIntervalMs: 500, pingTimeoutMs: 2000 } });
    const sent = new Map<PeerPage, unknown[]>(pages.map((p) => [p, []]));
    const send = async (p: PeerPage, data: unknown) => { await p.send(data); sent.get(p)!.push(data); };
    chaos.blackholeTcp(relay.port);
    // Sent into the black hole: the relay never answers, so they stay in the outboxes and are
    // published again after the reconnect; the peer link delivers them at once meanwhile.
    for (const p of pages) for (let k = 1; k <= 3; k++) await send(p, `${p.name} into the black hole ${k}`);
    await allReceived(sent);
    await Promise.all(pages.map((p) => p.reach('reconnecting', 10_000)));
    for (const p of pages) await send(p, `${p.name} while reconnecting`);
    chaos.heal();
    await Promise.all(pages.map((p) => p.reach('connected', 20_000)));
    const links = await pages[0].links();
    assert.equal(links[0].connectionsCreated, 1, 'the peer link was never replaced');
    await send(pages[1], 'after the black hole');
    await allReceived(sent);
    // Every publish was acknowledged after the reconnect (nothing left to resend), and nothing arrived twice.
    for (const p of pages) {
      await p.page.waitForFunction(() => { const m = (window as any).__mesh; return m.log.messages.filter((x: any) => x.self).every((x: any) => !m.room.isPending(x.id)); }, undefined, { timeout: 20_000, polling: 50 });
    }
    await assertExactlyOnce(sent);
  });
});
