// `npm run screenshot`: the demo with 4 participants (Chromium's fake cameras), saved as
// demo/screenshot.png. Runs in a loopback-only network namespace like the tests.
import { ensureLoopbackNamespace, launchChromium, startRelay } from '../bench/lib.mjs';
import { fileURLToPath } from 'node:url';

ensureLoopbackNamespace(import.meta.url);
const out = fileURLToPath(new URL('./screenshot.png', import.meta.url));
const demo = fileURLToPath(new URL('.', import.meta.url));

const relay = await startRelay(['--static', `/=${demo}`]);
const browser = await launchChromium();
const names = ['Ada', 'Grace', 'Linus', 'Margaret'];
const pages = [];
for (const name of names) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${relay.httpUrl}/?room=standup&name=${name}`);
  pages.push(page);
}
const first = pages[0];
await first.waitForFunction(() => {
  const room = document.querySelector('mesh-room');
  return room.state === 'connected' && room.peers.length === 3 && room.peers.every((p) => p.state === 'connected' && p.stream);
}, undefined, { timeout: 30_000, polling: 100 });
const say = async (page, text) => {
  const input = page.locator('mesh-chat').locator('textarea');
  await input.fill(text);
  await input.press('Enter');
};
await say(pages[1], 'Morning! Shall we start?');
await say(pages[2], 'Ready when you are.');
await say(pages[0], 'Go ahead, Grace 👍');
await first.waitForFunction(() => document.querySelector('mesh-chat').messages.length === 3 && document.querySelector('mesh-status-badge').shadowRoot.textContent.includes('ms'), undefined, { timeout: 30_000, polling: 100 });
// Let every tile show a decoded frame.
await first.waitForFunction(() => {
  const grid = document.querySelector('mesh-room').shadowRoot.querySelector('mesh-video-grid');
  const videos = [...grid.shadowRoot.querySelectorAll('video')];
  return videos.length === 4 && videos.every((v) => v.readyState >= 2 && v.videoWidth > 0);
}, undefined, { timeout: 30_000, polling: 100 });
await first.screenshot({ path: out, fullPage: true });
await browser.close();
await relay.kill();
console.log(`screenshot: ${out}`);
