import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { launchChromium } from '../helpers/browser.js';
import { PeerPage } from '../helpers/peer-page.js';
import { settle } from '../helpers/wait.js';

const QUICK = { signaling: { backoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } } };

describe('SIGTERM on a relay node while messages are in flight', () => {
  const redis = new RedisProcess();
  let nodes: RelayProcess[] = [];
  let browser: Browser;
  let pages: PeerPage[] = [];

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

  it('every acknowledged message survives, the node\'s members move to the other node, and nothing arrives or is stored twice', TEST, async () => {
    nodes = [0, 1].map(() => new RelayProcess({ args: ['--static', '/dist=dist', '--redis', redis.url, '--node-ttl-ms', '2000', '--grace-ms', '20000'] }));
    for (const n of nodes) await n.start();
    const [a, b] = nodes;
    const urls = (first: RelayProcess, second: RelayProcess) => [first.wsUrl, second.wsUrl];
    const ada = await PeerPage.open(browser, a.httpUrl, { relay: urls(a, b), room: 'term', name: 'Ada', ...QUICK });
    const cy = await PeerPage.open(browser, a.httpUrl, { relay: urls(a, b), room: 'term', name: 'Cy', ...QUICK });
    const bob = await PeerPage.open(browser, b.httpUrl, { relay: urls(b, a), room: 'term', name: 'Bob', ...QUICK });
    pages = [ada, bob, cy];
    for (const p of pages) await p.join();
    await Promise.all(pages.map((p) => p.meshed(2)));

    // Each sends 8 numbered messages, one every 20 ms, by itself.
    const stream = (p: PeerPage, tag: string) => p.page.evaluate((tag) => new Promise<void>((resolve) => {
      const room = (window as any).__mesh.room;
      let i = 0;
      const timer = setInterval(() => {
        room.send({ tag, i: ++i });
        if (i < 8) return;
        clearInterval(timer);
        resolve();
      }, 20);
    }), tag);
    await Promise.all([stream(ada, 'ada'), stream(bob, 'bob'), stream(cy, 'cy')]);
    // Then, from Ada and Cy on node A, a burst of 10 that is still on its way when A gets SIGTERM.
    const burst = (p: PeerPage, tag: string) => p.page.evaluate((tag) => {
      const room = (window as any).__mesh.room;
      const ids = Array.from({ length: 10 }, (_, k) => room.send({ tag, i: k + 1 }).id);
      return ids.filter((id: string) => room.isPending(id)).length;
    }, tag);
    const inFlight = [await burst(ada, 'ada-burst'), await burst(cy, 'cy-burst')];
    await a.kill('SIGTERM');
    assert.deepEqual(a.lastExit, { code: 0, signal: null }, 'node A shut down cleanly');
    assert.ok(inFlight.every((n) => n > 0), `messages were in flight at SIGTERM: ${inFlight}`);

    // Ada and Cy resume on node B by themselves; their peer links never went down.
    await Promise.all([ada, cy].map((p) => p.reach('connected', 20_000)));
    const sent: Record<string, unknown[]> = {
      Ada: [...Array.from({ length: 8 }, (_, k) => ({ tag: 'ada', i: k + 1 })), ...Array.from({ length: 10 }, (_, k) => ({ tag: 'ada-burst', i: k + 1 }))],
      Bob: Array.from({ length: 8 }, (_, k) => ({ tag: 'bob', i: k + 1 })),
      Cy: [...Array.from({ length: 8 }, (_, k) => ({ tag: 'cy', i: k + 1 })), ...Array.from({ length: 10 }, (_, k) => ({ tag: 'cy-burst', i: k + 1 }))],
    };
    // Everything was acknowledged in the end (by A before it went, or by B after the move).
    for (const p of pages) {
      await p.page.waitForFunction((n) => { const m = (window as any).__mesh; const own = m.log.messages.filter((x: any) => x.self); return own.length === n && own.every((x: any) => !m.room.isPending(x.id)); },
        sent[p.name].length, { timeout: 20_000, polling: 50 });
    }
    for (const p of pages) await p.received(44 - sent[p.name].length, 20_000);
    await settle();
    const ids = Object.fromEntries(await Promise.all(pages.map(async (p) => [p.name, await p.selfId()] as const)));
    for (const p of pages) {
      const others = (await p.log()).messages.filter((m) => !m.self);
      assert.equal(others.length, 44 - sent[p.name].length, `${p.name}: every message of the others, once`);
      for (const q of pages) if (q !== p) assert.deepEqual(others.filter((m) => m.from === ids[q.name]).map((m) => m.data), sent[q.name], `${p.name} from ${q.name}`);
      assert.ok((await p.links()).every((l) => l.connectionsCreated === 1 && l.state === 'connected'), `${p.name} kept its peer links`);
    }
    // The store (Redis) holds each acknowledged message once: a newcomer on B gets the whole room
    // history (44 messages, under the buffer's 50) exactly once, in each sender's order.
    const di = await PeerPage.open(browser, b.httpUrl, { relay: b.wsUrl, room: 'term', name: 'Di' });
    pages.push(di);
    await di.join();
    await di.received(44, 20_000);
    await settle();
    const history = (await di.log()).messages.filter((m) => !m.self);
    assert.equal(history.length, 44);
    for (const q of [ada, bob, cy]) assert.deepEqual(history.filter((m) => m.from === ids[q.name]).map((m) => m.data), sent[q.name], `the store has ${q.name}'s messages once each, in order`);
  });
});
