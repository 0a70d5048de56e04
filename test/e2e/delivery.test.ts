import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, LONG_TEST, TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { Chaos } from '../helpers/chaos.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { settle } from '../helpers/wait.js';

/**
 * Fast reconnects for a member that comes back from a long outage (no `online` event in tests),
 * and fast peer-link recovery, so an outage of a few seconds replaces the peer connection.
 */
const QUICK = {
  signaling: { backoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } },
  link: { disconnectedGraceMs: 200, restartTimeoutMs: 800, maxIceRestarts: 1, recreateBackoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } },
};

describe('room messages: exactly once, nothing acknowledged lost', () => {
  let browser: Browser;
  let relay: RelayProcess;
  let proxy: TcpProxy | null = null;
  const chaos = new Chaos();
  let pages: PeerPage[] = [];
  let roomNo = 0;

  before(async () => {
    assert.ok(Chaos.available(), 'nft must work here (npm test runs this in a network namespace as root)');
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    chaos.heal();
    for (const p of pages) await p.close();
    pages = [];
    await proxy?.close();
    proxy = null;
    await relay?.kill();
  }, HOOK);
  after(async () => {
    chaos.close();
    await browser?.close();
  }, HOOK);

  /**
   * A room where `offline` (by name) reaches the relay through a proxy the test can cut; with
   * UDP dropped as well, that member is fully offline while the others still have the relay.
   */
  async function setup(names: string[], offline: string, relayArgs: string[] = []) {
    relay = new RelayProcess({ args: ['--static', '/dist=dist', ...relayArgs] });
    await relay.start();
    proxy = new TcpProxy(relay.port);
    await proxy.listen();
    const id = `deliver-${++roomNo}`;
    pages = [];
    for (const name of names) {
      const url = name === offline ? proxy.wsUrl : relay.wsUrl;
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: url, room: id, name, ...QUICK });
      await p.join();
      pages.push(p);
    }
    await Promise.all(pages.map((p) => p.meshed(names.length - 1)));
    return pages;
  }

  function takeOffline(p: PeerPage) {
    chaos.dropUdp();
    proxy!.refuse();
    proxy!.cut();
    return p.reach('reconnecting');
  }
  function bringBack() {
    chaos.heal();
    proxy!.heal();
  }
  async function sendMany(p: PeerPage, count: number, tag: string) {
    for (let i = 1; i <= count; i++) await p.send({ tag, i });
  }
  async function dataFrom(p: PeerPage, sender: PeerPage) {
    const id = await sender.selfId();
    return (await p.log()).messages.filter((m) => m.from === id).map((m) => m.data);
  }
  const seq = (tag: string, count: number) => Array.from({ length: count }, (_, k) => ({ tag, i: k + 1 }));

  it('a member offline for 30 s catches up every message sent meanwhile and reports how many it missed', LONG_TEST, async () => {
    const [ada, bob, cy] = await setup(['Ada', 'Bob', 'Cy'], 'Bob', ['--grace-ms', '60000']);
    await ada.send({ tag: 'before', i: 1 });
    await bob.received(1);
    await takeOffline(bob);
    const wentAt = Date.now();
    await sendMany(ada, 10, 'ada');
    await sendMany(cy, 10, 'cy');
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() - wentAt)));
    bringBack();
    await bob.page.waitForFunction(() => (window as any).__mesh.log.reconnected.length > 0, undefined, { timeout: 30_000, polling: 50 });
    await settle();
    const report = (await bob.log()).reconnected[0];
    assert.equal(report.missed, 20);
    assert.equal(report.lost, 0);
    assert.ok(report.disconnectedFor >= 29_000, `disconnectedFor ${report.disconnectedFor}`);
    assert.deepEqual(await dataFrom(bob, ada), [{ tag: 'before', i: 1 }, ...seq('ada', 10)]);
    assert.deepEqual(await dataFrom(bob, cy), seq('cy', 10));
  });

  it('gone longer than the buffer reaches, with the sender still here: the sender resends what was evicted, nothing lost', TEST, async () => {
    const [ada, bob] = await setup(['Ada', 'Bob'], 'Bob', ['--replay-messages', '10']);
    await takeOffline(bob);
    await sendMany(ada, 25, 'ada');
    // Long enough for the peer connection to be declared dead and replaced: nothing in flight survives.
    await ada.page.waitForFunction(() => { const r = (window as any).__mesh.room; return r.linkTo(r.peers[0].id).connectionsCreated > 1; }, undefined, { timeout: 30_000, polling: 50 });
    bringBack();
    await bob.page.waitForFunction(() => (window as any).__mesh.log.reconnected.length > 0, undefined, { timeout: 30_000, polling: 50 });
    await settle();
    const report = (await bob.log()).reconnected[0];
    assert.deepEqual([report.missed, report.lost], [25, 0]);
    assert.deepEqual(await dataFrom(bob, ada), seq('ada', 25));
  });

  it('gone longer than the buffer reaches, with the sender gone: the evicted messages are reported lost, the rest delivered in order', TEST, async () => {
    const [ada, bob] = await setup(['Ada', 'Bob'], 'Bob', ['--replay-messages', '10']);
    await takeOffline(bob);
    await sendMany(ada, 25, 'ada');
    await ada.close();
    pages = pages.filter((p) => p !== ada);
    bringBack();
    await bob.page.waitForFunction(() => (window as any).__mesh.log.reconnected.length > 0, undefined, { timeout: 30_000, polling: 50 });
    await settle();
    const log = await bob.log();
    assert.deepEqual([log.reconnected[0].missed, log.reconnected[0].lost], [10, 15]);
    assert.equal(log.lost, 15);
    assert.deepEqual(log.messages.filter((m) => !m.self).map((m) => m.data), seq('ada', 25).slice(15));
  });

  it('the relay restarts (new epoch, empty buffer) while a member is away: senders resend, nothing duplicated, lost 0', TEST, async () => {
    const [ada, bob] = await setup(['Ada', 'Bob'], 'Bob');
    await takeOffline(bob);
    await sendMany(ada, 5, 'acked'); // stored by the relay that is about to die
    await ada.page.waitForFunction(() => (window as any).__mesh.room.isPending((window as any).__mesh.log.messages.at(-1).id) === false, undefined, { timeout: 10_000, polling: 20 });
    await relay.kill('SIGKILL');
    await sendMany(ada, 5, 'outbox'); // waiting in Ada's outbox
    await relay.start();
    bringBack();
    await bob.page.waitForFunction(() => (window as any).__mesh.log.reconnected.length > 0, undefined, { timeout: 30_000, polling: 50 });
    await bob.received(10);
    await settle();
    const log = await bob.log();
    assert.equal(log.reconnected.length, 1);
    assert.equal(log.reconnected[0].relayRestarted, true);
    assert.equal(log.reconnected[0].lost, 0);
    assert.deepEqual(await dataFrom(bob, ada), [...seq('acked', 5), ...seq('outbox', 5)]);
  });

  it('soak: 4 peers send 200 numbered messages each while the relay is killed and UDP dropped at random; every peer gets every message exactly once, in order', LONG_TEST, async () => {
    const names = ['Ada', 'Bob', 'Cy', 'Di'];
    relay = new RelayProcess({ args: ['--static', '/dist=dist'] });
    await relay.start();
    pages = [];
    const soakRoom = `soak-${++roomNo}`;
    for (const name of names) {
      const p = await PeerPage.open(browser, relay.httpUrl, { relay: relay.wsUrl, room: soakRoom, name, ...QUICK });
      pages.push(p);
    }
    for (const p of pages) await p.join();
    await Promise.all(pages.map((p) => p.meshed(3)));
    // Each page sends 200 numbered messages at random intervals of 0–100 ms, by itself.
    await Promise.all(pages.map((p) => p.page.evaluate(() => {
      const room = (window as any).__mesh.room;
      let i = 0;
      const next = () => {
        if (i >= 200) return;
        try {
          room.send({ i: i + 1 });
          i++;
        } catch { /* not joined right now: retry */ }
        setTimeout(next, Math.random() * 100);
      };
      (window as any).__sending = next;
      next();
    })));
    // Faults at random (seeded so a failure can be replayed), bounded in count and time.
    let seed = Number(process.env.SOAK_SEED ?? 20261124);
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const faults: string[] = [];
    const until = Date.now() + 20_000;
    while (Date.now() < until && faults.length < 8) {
      if (rand() < 0.5) {
        faults.push('relay');
        await relay.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 300 + rand() * 1500));
        await relay.start();
      } else {
        faults.push('udp');
        chaos.dropUdp();
        await new Promise((r) => setTimeout(r, 1000 + rand() * 5000));
        chaos.heal();
      }
      await new Promise((r) => setTimeout(r, 500 + rand() * 1500));
    }
    const expected = Array.from({ length: 200 }, (_, k) => ({ i: k + 1 }));
    for (const p of pages) {
      await p.page.waitForFunction(() => (window as any).__mesh.log.messages.filter((m: any) => !m.self).length >= 600, undefined, { timeout: 90_000, polling: 100 })
        .catch(async (err) => {
          const detail: string[] = [];
          for (const sender of pages.filter((q) => q !== p)) {
            const got = new Set((await dataFrom(p, sender)).map((d) => (d as { i: number }).i));
            const missing = expected.map((e) => e.i).filter((i) => !got.has(i));
            detail.push(`${sender.name}: missing ${missing.length} [${missing.slice(0, 10)}${missing.length > 10 ? '…' : ''}]`);
          }
          const state = await p.page.evaluate(() => { const r = (window as any).__mesh.room; return { state: r.state, peers: r.peers.map((x: any) => `${x.name}:${x.state}:${x.online}`), unstored: r.history.filter((m: any) => m.self && r.isPending(m.id)).length }; });
          throw new Error(`${p.name} after faults ${faults}: ${detail.join('; ')}; ${JSON.stringify(state)}: ${err}`);
        });
    }
    await settle(); // keep listening: a late duplicate must show up in the checks below
    for (const p of pages) {
      const log = await p.log();
      const others = log.messages.filter((m) => !m.self);
      assert.equal(others.length, 600, `${p.name}: exactly 600 messages from the others`);
      assert.equal(new Set(others.map((m) => m.id)).size, others.length, `${p.name}: duplicates`);
      for (const sender of pages.filter((q) => q !== p)) assert.deepEqual(await dataFrom(p, sender), expected, `${p.name} from ${sender.name}`);
      assert.equal(log.lost, 0, `${p.name} reported losses`);
    }
    assert.ok(faults.length >= 3, `faults injected: ${faults}`);
  });
});
