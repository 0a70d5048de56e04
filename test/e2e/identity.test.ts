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

  it('a page reload with the same name rejoins at once: one member of that name, never "name taken"', TEST, async () => {
    const [ada, bob] = [await newUser(browser), await newUser(browser)];
    await ada.page.goto(`${relay.httpUrl}/?room=reload&name=Ada`);
    await bob.page.goto(`${relay.httpUrl}/?room=reload&name=Bob`);
    await connectedWith(bob.page, ['Ada']);
    const firstId = (await roomState(ada.page)).selfId;
    for (let i = 0; i < 3; i++) {
      await ada.page.reload();
      await connectedWith(ada.page, ['Bob']);
      await connectedWith(bob.page, ['Ada']);
    }
    const bobView = await roomState(bob.page);
    assert.equal(bobView.peers.length, 1);
    assert.notEqual(bobView.peers[0].id, firstId, 'the reloaded page is a new peer');
    const state = await (await fetch(`${relay.httpUrl}/rooms/reload/state`)).json() as { members: Array<{ name: string }> };
    assert.deepEqual(state.members.map((m) => m.name).sort(), ['Ada', 'Bob']);
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
});
