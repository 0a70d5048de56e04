import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import type { Browser, Page } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { settle } from '../helpers/wait.js';

/** Text of every chat message shown on a page, as "name: text". */
function chatLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const chat = document.querySelector('mesh-chat')!;
    return [...chat.shadowRoot!.querySelectorAll('[part~="message"]')].map((li) =>
      `${li.querySelector('[part="name"]')!.textContent}: ${li.querySelector('[part="text"]')!.textContent}`);
  });
}

async function type(page: Page, text: string): Promise<void> {
  const input = page.locator('mesh-chat').locator('textarea');
  await input.fill(text);
  await input.press('Enter');
}

describe('demo page', () => {
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

  it('shows a join form without parameters', TEST, async () => {
    const { context, page } = await newUser(browser);
    await page.goto(relay.httpUrl + '/');
    await page.locator('#join-form input[name="name"]').waitFor();
    assert.equal(await page.locator('#room-view').isHidden(), true);
    await context.close();
  });

  it('three people in separate browser contexts join from the URL and chat', TEST, async () => {
    const users = await Promise.all(['Ada', 'Bob', 'Cy'].map(() => newUser(browser)));
    const pages = users.map((u) => u.page);
    await Promise.all(pages.map((p, i) => p.goto(`${relay.httpUrl}/?room=e2e-chat&name=${['Ada', 'Bob', 'Cy'][i]}`)));
    // Everyone connected, each with direct links to the two others.
    for (const page of pages) {
      await page.waitForFunction(() => {
        const room = document.querySelector('mesh-room')!;
        return room.state === 'connected' && room.peers.length === 2 && room.peers.every((p) => p.state === 'connected');
      }, undefined, { timeout: 20_000 });
      assert.equal(await page.locator('mesh-status-badge').getAttribute('state'), 'connected');
    }
    // Three messages each, interleaved, typed as fast as the pages take them.
    const said: Record<string, string[]> = {
      Ada: ['hello from Ada', 'Ada again', 'Ada, third'],
      Bob: ['hi Ada, Bob here', 'Bob 2', 'Bob 3'],
      Cy: ['<img src=x onerror="window.pwned=1"> Cy', 'Cy 2', 'Cy 3'],
    };
    for (let k = 0; k < 3; k++) for (const [i, who] of ['Ada', 'Bob', 'Cy'].entries()) await type(pages[i], said[who][k]);
    for (const page of pages) {
      await page.waitForFunction(() => document.querySelector('mesh-chat')!.messages.length >= 9, undefined, { timeout: 10_000 });
    }
    await settle(); // a late duplicate would show up now
    for (const [i, page] of pages.entries()) {
      const lines = await chatLines(page);
      assert.equal(lines.length, 9, `${['Ada', 'Bob', 'Cy'][i]} shows each message once: ${lines.join(' | ')}`);
      // Each person's own messages are in their order everywhere: the sequences, not just membership.
      for (const who of ['Ada', 'Bob', 'Cy']) {
        const theirs = lines.filter((l) => l.startsWith(`${who}: `)).map((l) => l.slice(who.length + 2));
        assert.deepEqual(theirs, said[who], `${who}'s messages on ${['Ada', 'Bob', 'Cy'][i]}'s page`);
      }
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'HTML in a message never runs');
    }
    await Promise.all(users.map((u) => u.context.close()));
  });
});
