import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser, Page } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';

const roomState = (page: Page) => page.evaluate(() => {
  const room = document.querySelector('mesh-room')!;
  return { state: room.state, selfId: room.selfId, peers: room.peers.map((p) => ({ id: p.id, name: p.name, state: p.state })) };
});

const connectedWith = (page: Page, names: string[], timeout = 20_000) => page.waitForFunction((expected) => {
  const room = document.querySelector('mesh-room')!;
  const names = room.peers.map((p) => p.name).sort();
  return room.state === 'connected' && JSON.stringify(names) === JSON.stringify(expected) && room.peers.every((p) => p.state === 'connected');
}, [...names].sort(), { timeout, polling: 20 });

describe('identity across reloads and tabs', () => {
  let relay: RelayProcess;
  let browser: Browser;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/=demo', '--static', '/dist=dist'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    await browser?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  it('20 reloads in a row with the same name: each rejoins at once, one member of that name, never "name taken", and chat still works', TEST, async () => {
    const [ada, bob] = [await newUser(browser), await newUser(browser)];
    await ada.page.goto(`${relay.httpUrl}/?room=reload&name=Ada`);
    await bob.page.goto(`${relay.httpUrl}/?room=reload&name=Bob`);
    await connectedWith(bob.page, ['Ada']);
    const ids = new Set([(await roomState(ada.page)).selfId]);
    const bobLeaves: string[] = [];
    await bob.page.exposeFunction('__left', (name: string) => { bobLeaves.push(name); });
    await bob.page.evaluate(() => document.querySelector('mesh-room')!.addEventListener('mesh-peer-leave', (e: any) => (window as any).__left(e.detail.peer.name)));
    for (let i = 0; i < 20; i++) {
      await ada.page.reload();
      await connectedWith(ada.page, ['Bob']);
      await connectedWith(bob.page, ['Ada']);
      const mine = await roomState(ada.page);
      assert.equal(await ada.page.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('[part="error"]')), null, `reload ${i + 1}: no error shown`);
      ids.add(mine.selfId);
      const bobView = await roomState(bob.page);
      assert.deepEqual(bobView.peers.map((p) => [p.name, p.id]), [['Ada', mine.selfId]], `reload ${i + 1}: Bob sees one Ada, the new one`);
    }
    assert.equal(ids.size, 21, 'every reload is a new peer');
    assert.equal(bobLeaves.length, 20, 'each old page left at once (20 leaves), none lingered');
    const state = await (await fetch(`${relay.httpUrl}/rooms/reload/state`)).json() as { members: Array<{ name: string }> };
    assert.deepEqual(state.members.map((m) => m.name).sort(), ['Ada', 'Bob']);
    // And the room still works after all that: a message each way.
    const say = async (page: typeof ada.page, text: string) => {
      const input = page.locator('mesh-chat').locator('textarea');
      await input.fill(text);
      await input.press('Enter');
    };
    await say(ada.page, 'after 20 reloads');
    await say(bob.page, 'welcome back');
    await bob.page.waitForFunction(() => document.querySelector('mesh-chat')!.messages.some((m) => m.text === 'after 20 reloads'), undefined, { timeout: 10_000 });
    await ada.page.waitForFunction(() => document.querySelector('mesh-chat')!.messages.some((m) => m.text === 'welcome back'), undefined, { timeout: 10_000 });
    await Promise.all([ada.context.close(), bob.context.close()]);
  });

  it('two tabs racing for the same name: exactly one gets in, the other is told the name is taken', TEST, async () => {
    const bob = await newUser(browser);
    await bob.page.goto(`${relay.httpUrl}/?room=race&name=Bob`);
    const tabs = [await newUser(browser), await newUser(browser)];
    await Promise.all(tabs.map((t) => t.page.goto(`${relay.httpUrl}/?room=race&name=Ada`)));
    await Promise.all(tabs.map((t) => t.page.waitForFunction(() => ['connected', 'failed'].includes(document.querySelector('mesh-room')!.state), undefined, { timeout: 20_000, polling: 20 })));
    const states = await Promise.all(tabs.map((t) => roomState(t.page)));
    assert.deepEqual(states.map((s) => s.state).sort(), ['connected', 'failed']);
    const loser = tabs[states.findIndex((s) => s.state === 'failed')].page;
    const alert = await loser.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('[part="error"]')?.textContent);
    assert.match(alert ?? '', /already used/);
    await connectedWith(bob.page, ['Ada']);
    await Promise.all([bob, ...tabs].map((t) => t.context.close()));
  });

  it('two tabs of one browser (same storage, same name) racing: one gets in, the other is told; once the first tab closes, the second can join with that name', TEST, async () => {
    const bob = await newUser(browser);
    await bob.page.goto(`${relay.httpUrl}/?room=tabs&name=Bob`);
    const first = await newUser(browser);
    const second = await first.context.newPage(); // the same browser context: same storage, same origin
    const tabs = [first.page, second];
    await Promise.all(tabs.map((t) => t.goto(`${relay.httpUrl}/?room=tabs&name=Ada`)));
    await Promise.all(tabs.map((t) => t.waitForFunction(() => ['connected', 'failed'].includes(document.querySelector('mesh-room')!.state), undefined, { timeout: 20_000, polling: 20 })));
    const states = await Promise.all(tabs.map((t) => roomState(t)));
    assert.deepEqual(states.map((s) => s.state).sort(), ['connected', 'failed']);
    const winner = tabs[states.findIndex((s) => s.state === 'connected')];
    const loser = tabs[states.findIndex((s) => s.state === 'failed')];
    assert.match(await loser.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('[part="error"]')?.textContent ?? ''), /already used/);
    await connectedWith(bob.page, ['Ada']);
    const firstId = (await roomState(winner)).selfId;
    // The winning tab closes; the other tab asks again with the same name, and gets in.
    await winner.close({ runBeforeUnload: true });
    await bob.page.waitForFunction(() => document.querySelector('mesh-room')!.peers.length === 0, undefined, { timeout: 20_000, polling: 50 });
    const form = loser.locator('mesh-room').locator('[part="join-form"]');
    await form.getByLabel('Your name').fill('Ada');
    await form.getByRole('button', { name: 'Join' }).click();
    await connectedWith(loser, ['Bob']);
    const now = await roomState(bob.page);
    assert.deepEqual(now.peers.map((p) => p.name), ['Ada']);
    assert.notEqual(now.peers[0].id, firstId, 'the second tab, not a leftover of the first');
    await Promise.all([bob.context.close(), first.context.close()]);
  });
});
