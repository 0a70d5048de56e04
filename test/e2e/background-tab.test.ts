import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { HOOK, LONG_TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromiumWithTabs } from '../helpers/chromium-tabs.js';
import { installRoom, type PageLog } from '../helpers/peer-page.js';
import { eventually } from '../helpers/eventually.js';
import { settle } from '../helpers/wait.js';

/**
 * Issue 16: a member in a background tab stays in the room and receives every message under
 * Chromium's own throttling (its defaults, but for the grace before the minute-long sleeps:
 * 10 s here, 5 minutes for people), and a member that stops answering is
 * not missed for long. Everything is polled from Node with `evaluate` (it runs at once); a
 * hidden page's own timers would be throttled too.
 */
describe('a member in a background tab', () => {
  let browser: Browser;
  let relay: RelayProcess;
  const contexts: BrowserContext[] = [];

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/dist=dist'] });
    await relay.start();
    browser = await launchChromiumWithTabs();
  }, HOOK);
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await relay?.kill();
  }, HOOK);

  async function member(name: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.createBrowserContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`[page error] ${(err as Error).message}\n`));
    await page.goto(relay.httpUrl + '/healthz');
    await page.evaluate(installRoom, { relay: relay.wsUrl, room: 'background', name });
    await page.evaluate(() => (window as any).__mesh.room.join());
    return { context, page };
  }
  const log = (p: Page): Promise<PageLog> => p.evaluate(() => (window as any).__mesh.log);
  const linkStates = (p: Page) => p.evaluate(() => (window as any).__mesh.room.peers.map((x: any) => x.state as string));
  const texts = async (p: Page) => (await log(p)).messages.filter((m) => !m.self).map((m) => (m.data as { text: string }).text);

  it('alone, stays connected while its timers wake once a minute; linked, gets every message once and in order; frozen, is noticed by its peer within seconds', LONG_TEST, async (t) => {
    const bob = await member('Bob');
    // A timer chain in Bob's page shows how Chromium throttles it.
    await bob.page.evaluate(() => {
      const m = (window as any).__mesh;
      m.gaps = [];
      let last = Date.now();
      const tick = () => { const now = Date.now(); m.gaps.push(now - last); last = now; setTimeout(tick, 250); };
      setTimeout(tick, 250);
    });
    // Bob, alone in the room, switches to another tab of his browser.
    const elsewhere = await bob.context.newPage();
    await elsewhere.goto(relay.httpUrl + '/healthz');
    assert.equal(await bob.page.evaluate(() => document.visibilityState), 'hidden');

    // Intensive wake-up throttling: a timer that asked for 250 ms waits about a minute.
    await eventually(() => bob.page.evaluate(() => Math.max(...(window as any).__mesh.gaps) >= 20_000), 150_000, 'Chromium to throttle the hidden tab to one wake-up a minute');
    assert.deepEqual((await log(bob.page)).states, ['connecting', 'connected'], 'Bob stayed in the room while throttled');

    // Ada joins; the link forms with the hidden Bob, and her messages reach him once, in order.
    // (With WebRTC in use Chromium lifts the minute-long sleeps: Bob's timers run at most once a
    // second from here on, as a hidden tab's do.)
    const ada = await member('Ada');
    await eventually(async () => (await linkStates(ada.page)).join() === 'connected' && (await linkStates(bob.page)).join() === 'connected', 30_000, 'Ada and the hidden Bob to be linked');
    const first = Array.from({ length: 30 }, (_, i) => `a${i}`);
    for (const text of first) await ada.page.evaluate((x) => (window as any).__mesh.room.send({ text: x }), text);
    await bob.page.evaluate(() => (window as any).__mesh.room.send({ text: 'from the background' }));
    await eventually(async () => (await texts(bob.page)).length >= first.length, 30_000, 'the hidden Bob to receive 30 messages');
    await eventually(async () => (await texts(ada.page)).includes('from the background'), 30_000, 'Ada to receive the hidden Bob\'s message');
    await settle();
    assert.deepEqual(await texts(bob.page), first, 'every message once, in order');

    assert.deepEqual((await log(bob.page)).states, ['connecting', 'connected'], 'nothing took the hidden Bob for gone');

    // Bob's tab is frozen (it runs nothing, as a dead or suspended one): Ada notices quickly.
    const cdp = await bob.page.createCDPSession();
    const frozen = Date.now();
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await eventually(async () => (await linkStates(ada.page)).join() === 'reconnecting', 30_000, 'Ada to see the link to the frozen Bob reconnecting');
    const noticed = Date.now() - frozen;
    assert.ok(noticed <= 8000, `a member that stopped answering is noticed within 8 s (goal 2 s, link heartbeats): ${noticed} ms`);
    const meanwhile = Array.from({ length: 10 }, (_, i) => `b${i}`);
    for (const text of meanwhile) await ada.page.evaluate((x) => (window as any).__mesh.room.send({ text: x }), text);

    // Thawed, still hidden: the link comes back and nothing was lost or doubled. (Chromium closes
    // a frozen page's WebSockets when it thaws it, 1006; measured: Bob's room is reconnecting for
    // about 0.4 s then, and resumes under the same name.)
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await cdp.detach();
    await eventually(async () => (await linkStates(ada.page)).join() === 'connected', 30_000, 'the link to Bob to come back after the thaw');
    await eventually(async () => (await texts(bob.page)).length >= first.length + meanwhile.length, 30_000, 'Bob to receive the messages sent while he was frozen');
    await settle();
    assert.deepEqual(await texts(bob.page), [...first, ...meanwhile], 'every message once, in order, across the freeze');
    const end = await log(bob.page);
    t.diagnostic(`frozen member noticed after ${noticed} ms; Bob's room: ${end.states.join(' → ')}`);
    assert.equal(end.lost, 0, 'nothing reported lost');
    assert.equal(await bob.page.evaluate(() => document.visibilityState), 'hidden', 'Bob was in the background throughout');
  });
});
