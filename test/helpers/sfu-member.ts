import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newUser } from './browser.js';
import type { RelayProcess } from './relay-process.js';

/**
 * A member on its own page: a core `Room` (mode `sfu` unless told) sending the fake camera
 * (160×120, 10 fps) and, with `audio`, the fake microphone; room messages it gets in `__got`.
 */
export async function sfuMember(browser: Browser, relay: RelayProcess, room: string, name: string, mode = 'sfu', audio = true): Promise<{ context: BrowserContext; page: Page }> {
  const user = await newUser(browser);
  await user.page.goto(relay.httpUrl + '/healthz');
  await user.page.evaluate(async ({ url, room, name, mode, audio }) => {
    const { Room } = await import('/dist/core.js' as string);
    const mediaDevices = { getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio, video: { width: 160, height: 120, frameRate: 10 } }) };
    const r = new Room({ relay: url, room, name, mode, media: { audio, video: true }, mediaDevices });
    (window as any).__room = r;
    (window as any).__got = [];
    (window as any).__errors = [];
    r.addEventListener('message', (e: CustomEvent) => (window as any).__got.push(e.detail.data));
    r.addEventListener('error', (e: CustomEvent) => (window as any).__errors.push(e.detail.code));
    await r.join();
  }, { url: relay.wsUrl, room, name, mode, audio });
  return user;
}
