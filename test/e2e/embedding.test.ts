import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Records CSP violations and page errors from the first moment of a page. */
async function watch(page: Page) {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}

async function axe(page: Page): Promise<Array<{ id: string; nodes: number; help: string }>> {
  // Through DevTools, which a page's CSP does not restrict (the CMS page forbids inline scripts).
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, nodes: v.nodes.length, help: v.help }));
  });
}

describe('embedding in other pages', () => {
  let relay: RelayProcess;
  let browser: Browser;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/=demo', '--static', '/dist=dist', '--static', '/fixtures=test/fixtures'] });
    await relay.start();
    browser = await launchChromium();
  }, HOOK);
  after(async () => {
    await browser?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  it('a CMS article with one classic script tag and a strict CSP: visitors type a name and chat, with no violation', TEST, async () => {
    const users = [await newUser(browser), await newUser(browser)];
    const problems: string[][] = [];
    for (const [i, u] of users.entries()) {
      problems.push(await watch(u.page));
      await u.page.goto(`${relay.httpUrl}/cms.html`);
      const form = u.page.locator('mesh-room').locator('[part="join-form"]');
      await form.getByLabel('Your name').fill(['Reader One', 'Reader Two'][i]);
      await form.getByRole('button', { name: 'Join' }).click();
      await u.page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 });
    }
    const input = users[0].page.locator('mesh-chat').locator('textarea');
    await input.fill('Will the talk be recorded?');
    await input.press('Enter');
    await users[1].page.waitForFunction(() => document.querySelector('mesh-chat')!.messages.some((m) => m.text === 'Will the talk be recorded?'), undefined, { timeout: 10_000, polling: 50 });
    assert.deepEqual(problems, [[], []], 'no CSP violation, no error');
    assert.deepEqual(await axe(users[0].page), [], 'the article with the widget has no accessibility violation');
    for (const u of users) await u.context.close();
  });

  it('a name already taken is shown, and the visitor can pick another one right there', TEST, async () => {
    const [first, second] = [await newUser(browser), await newUser(browser)];
    for (const u of [first, second]) {
      await u.page.goto(`${relay.httpUrl}/cms.html`);
      const form = u.page.locator('mesh-room').locator('[part="join-form"]');
      await form.getByLabel('Your name').fill('Sam');
      await form.getByRole('button', { name: 'Join' }).click();
    }
    await first.page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 });
    await second.page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'failed', undefined, { timeout: 20_000, polling: 50 });
    const form = second.page.locator('mesh-room').locator('[part="join-form"]');
    assert.match(await second.page.locator('mesh-room').locator('[part="error"]').textContent() ?? '', /already used/);
    await form.getByLabel('Your name').fill('Sam B');
    await form.getByRole('button', { name: 'Join' }).click();
    await second.page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 });
    for (const u of [first, second]) await u.context.close();
  });

  it('the demo page has no accessibility violation (join form and a room in use)', TEST, async () => {
    const { context, page } = await newUser(browser);
    await page.goto(relay.httpUrl + '/');
    assert.deepEqual(await axe(page), []);
    const other = await newUser(browser);
    await other.page.goto(`${relay.httpUrl}/?room=axe&name=Bob`);
    await page.goto(`${relay.httpUrl}/?room=axe&name=Ada`);
    await page.waitForFunction(() => { const r = document.querySelector('mesh-room')!; return r.state === 'connected' && r.peers.length === 1 && r.peers[0].stream; }, undefined, { timeout: 20_000, polling: 50 });
    assert.deepEqual(await axe(page), []);
    await context.close();
    await other.context.close();
  });

  it('loading the bundle twice (module and classic script) does not break anything', TEST, async () => {
    const { context, page } = await newUser(browser);
    const problems = await watch(page);
    await page.goto(`${relay.httpUrl}/fixtures/twice.html`);
    await page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 })
      .catch(async (e) => { throw new Error(`${e}; ${JSON.stringify(problems)}; ${await page.evaluate(() => { const r = document.querySelector('mesh-room') as any; return JSON.stringify({ defined: !!customElements.get('mesh-room'), state: r.state, error: r.error, core: !!r.core }); })}`); });
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => typeof (window as any).MeshRoom?.Room), 'function', 'the classic script exposes the API as MeshRoom');
    await context.close();
  });
});
