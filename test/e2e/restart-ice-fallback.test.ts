import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { Chaos } from '../helpers/chaos.js';

/**
 * Safari before 14.1 has no `RTCPeerConnection.prototype.restartIce`. One member's room is given
 * such a class (a subclass without it, through the `RTCPeerConnection` option; the page's own
 * class is untouched); a real UDP outage must then be healed with a new connection, not a
 * TypeError that leaves the link reconnecting for ever.
 */
describe('a browser without restartIce()', () => {
  let relay: RelayProcess;
  let browser: Browser;
  const chaos = new Chaos();
  const contexts: BrowserContext[] = [];

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/dist=dist'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    chaos.close();
    for (const c of contexts) await c.close();
    await browser?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  async function member(name: string, withoutRestartIce: boolean): Promise<Page> {
    const { context, page } = await newUser(browser);
    contexts.push(context);
    await page.goto(relay.httpUrl + '/healthz');
    await page.evaluate(async (o) => {
      const { Room } = await import('/dist/core.js' as string);
      const errors: string[] = [];
      addEventListener('error', (e) => errors.push(e.message));
      addEventListener('unhandledrejection', (e) => errors.push(String(e.reason)));
      let RTC = RTCPeerConnection;
      if (o.withoutRestartIce) {
        RTC = class extends RTCPeerConnection {};
        Object.defineProperty(RTC.prototype, 'restartIce', { value: undefined });
      }
      const room = new Room({ relay: o.relay, room: 'no-restart', name: o.name, RTCPeerConnection: RTC, link: { disconnectedGraceMs: 300, restartTimeoutMs: 2000, recreateBackoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } } });
      const got: unknown[] = [];
      room.addEventListener('message', (e: CustomEvent) => got.push(e.detail.data));
      (window as any).__t = { room, errors, got };
      await room.join();
    }, { relay: relay.wsUrl, name, withoutRestartIce });
    return page;
  }

  const link = (page: Page) => page.evaluate(() => {
    const { room, errors } = (window as any).__t;
    const p = room.peers[0];
    const l = p && room.linkTo(p.id);
    return { state: p?.state ?? null, generation: l?.generation ?? -1, iceRestartsMade: l?.iceRestartsMade ?? 0, errors };
  });

  it('a UDP outage: the link is replaced by a new connection and data flows again, with no error thrown', TEST, async () => {
    assert.ok(Chaos.available(), `nft must work here: ${Chaos.refusal()}`);
    const safari = await member('Old', true);
    const other = await member('New', false);
    for (const p of [safari, other]) await p.waitForFunction(() => (window as any).__t.room.peers[0]?.state === 'connected', null, { timeout: 30_000, polling: 50 });
    chaos.dropUdp();
    await safari.waitForFunction(() => (window as any).__t.room.peers[0]?.state === 'reconnecting', null, { timeout: 30_000, polling: 50 });
    await new Promise((r) => setTimeout(r, 1500)); // the outage outlasts the 300 ms grace: recovery has begun
    chaos.heal();
    await safari.waitForFunction(() => { const r = (window as any).__t.room; const p = r.peers[0]; return p?.state === 'connected' && r.linkTo(p.id).generation >= 1; }, null, { timeout: 40_000, polling: 50 })
      .catch(async (e) => { throw new Error(`not recovered on a new connection: ${JSON.stringify(await link(safari))} (${(e as Error).message})`); });
    const l = await link(safari);
    assert.equal(l.iceRestartsMade, 0, 'there was no restartIce() to call');
    assert.deepEqual(l.errors, []);
    // Connected means the new connection's data channel is open; a message crosses it.
    await other.evaluate(() => (window as any).__t.room.send('after the outage'));
    await safari.waitForFunction(() => (window as any).__t.got.includes('after the outage'), null, { timeout: 10_000, polling: 50 });
  });
});
