import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { settle } from '../helpers/wait.js';

const QUICK = { signaling: { backoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } } };

describe('relay nodes sharing rooms through Redis', () => {
  const redis = new RedisProcess();
  let nodes: RelayProcess[] = [];
  let browser: Browser;
  let pages: PeerPage[] = [];
  let roomNo = 0;

  before(async () => {
    await redis.start();
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    for (const p of pages) await p.close();
    pages = [];
    for (const n of nodes) await n.kill();
    nodes = [];
  }, HOOK);
  after(async () => {
    await browser?.close();
    await redis.kill();
  }, HOOK);

  async function twoNodes() {
    nodes = [0, 1].map(() => new RelayProcess({ args: ['--static', '/dist=dist', '--redis', redis.url, '--node-ttl-ms', '2000', '--grace-ms', '20000'] }));
    for (const n of nodes) await n.start();
    return nodes;
  }

  /** Every page got every other page's messages exactly once, in order. */
  async function exactlyOnce(sent: Map<PeerPage, unknown[]>) {
    for (const p of pages) {
      const total = [...sent].filter(([q]) => q !== p).reduce((s, [, d]) => s + d.length, 0);
      await p.received(total, 30_000);
    }
    await settle(); // keep listening: a late duplicate must show up below
    for (const p of pages) {
      const log = await p.log();
      const others = log.messages.filter((m) => !m.self);
      const total = [...sent].filter(([q]) => q !== p).reduce((s, [, d]) => s + d.length, 0);
      assert.equal(others.length, total, `${p.name}: ${others.length} messages, expected ${total}`);
      assert.equal(new Set(others.map((m) => m.id)).size, others.length, `${p.name}: duplicates`);
      for (const [q, data] of sent) {
        if (q === p) continue;
        const id = await q.selfId();
        assert.deepEqual(others.filter((m) => m.from === id).map((m) => m.data), data, `${p.name} from ${q.name}`);
      }
      assert.equal(log.lost, 0);
    }
  }

  it('members on node A and node B connect peer to peer and chat', TEST, async () => {
    const [a, b] = await twoNodes();
    const id = `multi-${++roomNo}`;
    const ada = await PeerPage.open(browser, a.httpUrl, { relay: a.wsUrl, room: id, name: 'Ada' });
    const bob = await PeerPage.open(browser, b.httpUrl, { relay: b.wsUrl, room: id, name: 'Bob' });
    pages = [ada, bob];
    await ada.join();
    await bob.join();
    await Promise.all(pages.map((p) => p.meshed(1)));
    const sent = new Map<PeerPage, unknown[]>([[ada, ['hi from A']], [bob, ['hi from B']]]);
    await ada.send('hi from A');
    await bob.send('hi from B');
    await exactlyOnce(sent);
    // The relay path carried them too (the relays acknowledged both).
    await ada.page.waitForFunction(() => (window as any).__mesh.room.isPending((window as any).__mesh.log.messages.find((m: any) => m.self).id) === false, undefined, { timeout: 10_000, polling: 50 });
  });

  it('node A is killed: its members move to node B by themselves and resume exactly once', TEST, async () => {
    const [a, b] = await twoNodes();
    const id = `multi-${++roomNo}`;
    // Everyone knows both nodes; Ada and Cy start on A, Bob on B.
    const urls = (first: RelayProcess, second: RelayProcess) => [first.wsUrl, second.wsUrl];
    const ada = await PeerPage.open(browser, a.httpUrl, { relay: urls(a, b), room: id, name: 'Ada', ...QUICK });
    const cy = await PeerPage.open(browser, a.httpUrl, { relay: urls(a, b), room: id, name: 'Cy', ...QUICK });
    const bob = await PeerPage.open(browser, b.httpUrl, { relay: urls(b, a), room: id, name: 'Bob', ...QUICK });
    pages = [ada, bob, cy];
    for (const p of pages) await p.join();
    await Promise.all(pages.map((p) => p.meshed(2)));
    const sent = new Map<PeerPage, unknown[]>(pages.map((p) => [p, []]));
    const say = async (p: PeerPage, d: unknown) => { await p.send(d); sent.get(p)!.push(d); };
    await say(ada, 'before');
    await a.kill('SIGKILL');
    await say(cy, 'while moving');
    await say(bob, 'while they move');
    await Promise.all([ada, cy].map((p) => p.reach('connected', 20_000)));
    await say(ada, 'after, on node B');
    await exactlyOnce(sent);
    // Nobody left the room: the peer links stayed up through the move.
    for (const p of pages) assert.equal((await p.links()).every((l) => l.connectionsCreated === 1), true, `${p.name} kept its links`);
  });

  it('Redis restarts during a chat: the relays go unhealthy, then healthy, and no acknowledged message is lost', TEST, async () => {
    const [a, b] = await twoNodes();
    const id = `multi-${++roomNo}`;
    const ada = await PeerPage.open(browser, a.httpUrl, { relay: a.wsUrl, room: id, name: 'Ada', ...QUICK });
    const bob = await PeerPage.open(browser, b.httpUrl, { relay: b.wsUrl, room: id, name: 'Bob', ...QUICK });
    pages = [ada, bob];
    await ada.join();
    await bob.join();
    await Promise.all(pages.map((p) => p.meshed(1)));
    const sent = new Map<PeerPage, unknown[]>(pages.map((p) => [p, []]));
    const say = async (p: PeerPage, d: unknown) => { await p.send(d); sent.get(p)!.push(d); };
    for (let i = 1; i <= 5; i++) await say(ada, `acked ${i}`);
    await ada.page.waitForFunction(() => { const r = (window as any).__mesh; return r.log.messages.filter((m: any) => m.self).every((m: any) => !r.room.isPending(m.id)); }, undefined, { timeout: 10_000, polling: 50 });
    await redis.kill();
    const health = async () => (await fetch(a.httpUrl + '/healthz')).status;
    const deadline = Date.now() + 10_000;
    while ((await health()) !== 503 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await health(), 503, 'unhealthy while Redis is down');
    for (let i = 1; i <= 3; i++) await say(bob, `during ${i}`);
    await redis.start();
    while ((await health()) !== 200 && Date.now() < deadline + 15_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await health(), 200, 'healthy again');
    await say(ada, 'after');
    await exactlyOnce(sent);
  });
});
