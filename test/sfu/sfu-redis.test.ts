// Two relay nodes sharing Redis and one Janus (the deployment the README describes): members of one
// room on different nodes see each other through the SFU, and a publication's `published` hint
// reaches the members on every node. Real Janus, real Redis, real relays, real Chromium, in the
// test namespace with its veth pair.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { RedisProcess } from '../helpers/redis-process.js';
import { launchChromium } from '../helpers/browser.js';
import { Janus } from '../helpers/janus.js';
import { WsClient } from '../helpers/ws-client.js';
import { sfuMember } from '../helpers/sfu-member.js';

/** Video frames decoded from each peer's stream as the page's SFU connections report them. */
const decoded = (page: Page) => page.evaluate(async () => {
  const room = (window as any).__room;
  let frames = 0;
  for (const pc of room.sfuConnections as RTCPeerConnection[]) {
    for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
  }
  return frames;
});

describe('SFU rooms across relay nodes sharing Redis (real Janus, real Redis)', () => {
  const janus = new Janus();
  const redis = new RedisProcess();
  let nodes: RelayProcess[] = [];
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let watcher: WsClient | null = null;

  before(async () => {
    await janus.start();
    await redis.start();
    nodes = [0, 1].map(() => new RelayProcess({ args: ['--static', '/dist=dist', '--redis', redis.url, ...janus.relayArgs] }));
    for (const n of nodes) await n.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    watcher?.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    for (const n of nodes) await n.kill('SIGTERM');
    await redis.kill();
    await janus.close();
  }, HOOK);

  it('a member on one node and a member on the other decode each other through the SFU; a publication\'s hint reaches members on both nodes', LONG_TEST, async () => {
    const room = 'sfu-two-nodes';
    // A bare member on node B, to see the hints as they come.
    watcher = await WsClient.connect(nodes[1].wsUrl);
    await watcher.join(room, 'Watcher');
    const bob = await sfuMember(browser, nodes[1], room, 'Bob', 'sfu', false);
    contexts.push(bob.context);
    const ada = await sfuMember(browser, nodes[0], room, 'Ada', 'sfu', false);
    contexts.push(ada.context);
    const [adaId, bobId] = await Promise.all([ada, bob].map((u) => u.page.evaluate(() => (window as any).__room.selfId as string)));
    // Ada publishes through node A: the watcher on node B hears of it (and of Bob's, from its own node).
    await watcher.next((f) => f.type === 'sfu' && f.op === 'published' && f.peer === adaId, 30_000, 'Ada\'s publication, from the other node');
    await watcher.next((f) => f.type === 'sfu' && f.op === 'published' && f.peer === bobId, 30_000, 'Bob\'s publication');
    for (const u of [ada, bob]) {
      await u.page.waitForFunction(() => {
        const r = (window as any).__room;
        return r.state === 'connected' && r.peers.some((p: any) => p.name !== 'Watcher' && p.transport === 'sfu' && p.stream?.getVideoTracks().length);
      }, undefined, { timeout: 60_000, polling: 200 });
      const first = await decoded(u.page);
      const deadline = Date.now() + 30_000;
      while ((await decoded(u.page)) < first + 20) {
        assert.ok(Date.now() < deadline, 'video keeps decoding (20 frames more within 30 s)');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    // Chat crosses the nodes too, exactly once.
    await ada.page.evaluate(() => (window as any).__room.send('hello across nodes'));
    await bob.page.waitForFunction(() => (window as any).__got.includes('hello across nodes'), undefined, { timeout: 30_000, polling: 100 });
    assert.deepEqual(await bob.page.evaluate(() => (window as any).__got), ['hello across nodes']);
    assert.deepEqual(await ada.page.evaluate(() => (window as any).__errors), [], 'no error on Ada\'s page');
    for (const u of [ada, bob]) await u.page.evaluate(() => (window as any).__room.close());
  });
});
