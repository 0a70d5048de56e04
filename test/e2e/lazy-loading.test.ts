import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';

/**
 * From esbuild's metafile: the files of a chat page (mesh-room.js and every chunk it imports
 * statically), and those only the features need (media with its elements, files with the chat's
 * file view, recording with the room's recording view: their entries and chunks, beyond the chat page's).
 */
function builtFiles(): { initial: Set<string>; features: Set<string> } {
  const meta = JSON.parse(readFileSync(new URL('../../dist/metafile.json', import.meta.url), 'utf8')) as { outputs: Record<string, { imports: Array<{ path: string; kind: string }> }> };
  const closure = (entry: string, into = new Set<string>()) => {
    if (into.has(entry)) return into;
    into.add(entry);
    for (const i of meta.outputs[entry].imports) if (i.kind === 'import-statement') closure(i.path, into);
    return into;
  };
  const initial = closure('dist/mesh-room.js');
  const chatFile = Object.keys(meta.outputs).find((f) => /chunks\/chat-file-.*\.js$/.test(f))!;
  const recordingView = Object.keys(meta.outputs).find((f) => /chunks\/recording-view-.*\.js$/.test(f))!;
  const features = new Set<string>();
  for (const e of ['dist/media.js', 'dist/core/media.js', 'dist/core/files.js', chatFile, 'dist/core/recording.js', recordingView]) closure(e, features);
  const name = (f: string) => f.replace(/^dist\//, '');
  return { initial: new Set([...initial].map(name)), features: new Set([...features].filter((f) => !initial.has(f)).map(name)) };
}

/** Every JavaScript file the page requests, as paths; CSP violations and page errors. */
async function watch(page: Page) {
  const scripts: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('.js')) scripts.push(url.pathname);
  });
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return { scripts, problems };
}

describe('features load when used', () => {
  let relay: RelayProcess;
  let browser: Browser;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/cdn=dist', '--static', '/fixtures=test/fixtures'] });
    await relay.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await relay?.kill('SIGTERM');
  });

  it('a chat page under a strict CSP fetches no media, files or recording code before connected; media="audio video" then loads it and video flows', async () => {
    const { initial, features } = builtFiles();
    assert.ok(['core/media.js', 'core/files.js', 'core/recording.js', 'media.js'].every((f) => features.has(f)), `the features are files of their own: ${[...features]}`);
    const room = `lazy-${Date.now()}`;
    const users = [await newUser(browser), await newUser(browser)];
    const seen = [];
    for (const [i, u] of users.entries()) {
      const w = await watch(u.page);
      seen.push(w);
      await u.page.goto(`${relay.httpUrl}/fixtures/chat-csp.html?room=${room}&name=${['Ada', 'Bob'][i]}`);
      await u.page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 10 });
      const before = w.scripts.filter((p) => p.startsWith('/cdn/')).map((p) => p.slice('/cdn/'.length));
      assert.deepEqual(before.filter((f) => features.has(f)), [], `no feature fetched before connected: ${before.join(', ')}`);
      assert.deepEqual([...initial].filter((f) => !before.includes(f)), [], 'every file of the chat page came from /cdn/ (relative to mesh-room.js)');
      assert.deepEqual(w.scripts.filter((p) => !p.startsWith('/cdn/') && p !== '/fixtures/chat-csp.js'), [], 'nothing from anywhere else');
    }
    // Chat works without any feature.
    await users[0].page.locator('mesh-chat').locator('textarea').fill('hello');
    await users[0].page.locator('mesh-chat').locator('textarea').press('Enter');
    await users[1].page.waitForFunction(() => document.querySelector('mesh-chat')!.messages.some((m) => m.text === 'hello'), undefined, { timeout: 10_000, polling: 50 });

    // The page also imports the core itself: the same module, loaded once (only core.js is new).
    const fetched = seen[0].scripts.length;
    assert.equal(await users[0].page.evaluate(async () => {
      const core = await import('/cdn/core.js' as string);
      return core.Room === document.querySelector('mesh-room')!.core!.constructor;
    }), true, 'one Room class');
    assert.deepEqual(seen[0].scripts.slice(fetched), ['/cdn/core.js'], 'mesh-room/core adds only its own entry file');

    // Both turn on camera and microphone: the call's chunks load (under the same CSP), and video flows.
    for (const u of users) await u.page.evaluate(() => document.querySelector('mesh-room')!.setAttribute('media', 'audio video'));
    for (const u of users) {
      await u.page.waitForFunction(() => {
        const grid = document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid');
        const v = grid?.shadowRoot?.querySelector<HTMLVideoElement>('video[data-remote]');
        return !!v && v.readyState >= 2 && v.videoWidth > 0 && !v.paused;
      }, undefined, { timeout: 30_000, polling: 100 });
    }
    // Remote video keeps decoding: 10 more frames, waited for (a loaded machine may be slow, never wrong).
    const decoded = () => document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot!.querySelector<HTMLVideoElement>('video[data-remote]')!.getVideoPlaybackQuality().totalVideoFrames;
    const first = await users[1].page.evaluate(decoded);
    await users[1].page.waitForFunction((n) => document.querySelector('mesh-room')!.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot!.querySelector<HTMLVideoElement>('video[data-remote]')!.getVideoPlaybackQuality().totalVideoFrames >= n, first + 10, { timeout: 15_000, polling: 100 });
    for (const w of seen) {
      const loaded = w.scripts.map((p) => p.replace(/^\/cdn\//, ''));
      assert.ok(loaded.includes('media.js') && loaded.includes('core/media.js'), `the call loaded its chunks: ${loaded.join(', ')}`);
      assert.ok(!loaded.includes('core/files.js') && !loaded.includes('core/recording.js') && !loaded.some((f) => /recording-view/.test(f)), 'files and recording (core and view) still not loaded');
      assert.deepEqual(w.problems, [], 'no CSP violation, no error');
    }
    for (const u of users) await u.context.close();
  });

  it('the classic script has everything in one file; German is a second classic script', async () => {
    const u = await newUser(browser);
    const w = await watch(u.page);
    await u.page.goto(`${relay.httpUrl}/fixtures/classic-de.html`);
    await u.page.waitForFunction(() => document.querySelector('mesh-status-badge')!.shadowRoot?.querySelector('[part="label"]')?.textContent?.trim() === 'Nicht verbunden', undefined, { timeout: 10_000, polling: 50 });
    assert.equal(await u.page.evaluate(() => document.querySelector('mesh-chat')!.shadowRoot!.querySelector('[part="send-button"]')!.textContent), 'Senden');
    assert.deepEqual(await u.page.evaluate(() => ['mesh-room', 'mesh-video-grid', 'mesh-media-controls'].map((t) => !!customElements.get(t))), [true, true, true], 'the call elements are in the classic script');
    assert.deepEqual(w.scripts, ['/cdn/mesh-room.iife.js', '/cdn/i18n/de.iife.js'], 'no chunk fetched');
    assert.deepEqual(w.problems, []);
    await u.context.close();
  });
});
