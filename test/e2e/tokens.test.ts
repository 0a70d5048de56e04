import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOOK, TEST } from '../helpers/deadlines.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { launchChromium, newUser } from '../helpers/browser.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { createRoomToken } from '../../relay/room-token.js';

const SECRET = 'e2e-token-secret-0123456789';
/** Ada's first token lives long enough for both pages to load and connect on a busy machine. */
const TTL = 8;

/**
 * Room tokens expire; a member whose connection drops must present a valid one again to resume.
 * Ada reaches the relay through a proxy the test cuts once her first token has expired.
 */
describe('room tokens on resume', () => {
  let relay: RelayProcess;
  let proxy: TcpProxy;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let roomNo = 0;

  before(async () => {
    relay = new RelayProcess({ args: ['--static', '/dist=dist'], env: { MESH_SECRET: SECRET } });
    await relay.start();
    proxy = new TcpProxy(relay.port);
    await proxy.listen();
    browser = await launchChromium();
  }, HOOK);
  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
    proxy.heal();
  }, HOOK);
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await relay?.kill('SIGTERM');
  }, HOOK);

  /** A page with one `<mesh-room>` (the built bundle), recording its states and errors. */
  async function member(name: string, room: string, relayUrl: string, token: string): Promise<Page> {
    const { context, page } = await newUser(browser);
    contexts.push(context);
    await page.goto(relay.httpUrl + '/healthz');
    await page.evaluate(async ({ name, room, relayUrl, token }) => {
      await import('/dist/mesh-room.js' as string);
      const el = document.createElement('mesh-room');
      const log = { states: [] as string[], errors: [] as string[], left: [] as string[] };
      el.addEventListener('mesh-state-change', (e: any) => log.states.push(e.detail.to));
      el.addEventListener('mesh-error', (e: any) => log.errors.push(e.detail.code));
      el.addEventListener('mesh-peer-leave', (e: any) => log.left.push(e.detail.peer.name));
      (window as any).__log = log;
      Object.assign(el, { token });
      for (const [k, v] of Object.entries({ relay: relayUrl, room, name, media: 'none' })) el.setAttribute(k, v);
      document.body.append(el);
    }, { name, room, relayUrl, token });
    await page.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 })
      .catch(async (e) => { throw new Error(`${name} did not connect: ${JSON.stringify(await page.evaluate(() => { const r = document.querySelector('mesh-room')!; return { state: r.state, error: r.error, log: (window as any).__log }; }))}; ${e}`); });
    return page;
  }
  const token = (room: string, name: string, ttlSeconds: number) => createRoomToken(SECRET, { room, name, ttlSeconds });
  const state = (page: Page) => page.evaluate(() => { const r = document.querySelector('mesh-room')!; return { state: r.state, selfId: r.selfId, peers: r.peers.map((p) => `${p.name}:${p.state}`), log: (window as any).__log }; });
  /** Waits until a token made now with a `ttlSeconds` lifetime has certainly expired at the relay. */
  const outlive = (ttlSeconds: number) => new Promise((r) => setTimeout(r, ttlSeconds * 1000 + 1200));

  async function room(adaTokenTtl: number) {
    const id = `tokens-${++roomNo}`;
    const ada = await member('Ada', id, proxy.wsUrl, token(id, 'Ada', adaTokenTtl));
    const bob = await member('Bob', id, relay.wsUrl, token(id, 'Bob', 3600));
    await bob.waitForFunction(() => document.querySelector('mesh-room')!.peers.some((p) => p.name === 'Ada' && p.state === 'connected'), undefined, { timeout: 20_000, polling: 50 });
    return { id, ada, bob };
  }

  it('an expired token: the resume is refused, and the member is told why and what to do', TEST, async () => {
    const { ada } = await room(TTL);
    await outlive(TTL);
    proxy.cut();
    await ada.waitForFunction(() => document.querySelector('mesh-room')!.state === 'failed', undefined, { timeout: 20_000, polling: 50 });
    const s = await state(ada);
    assert.ok(s.log.errors.includes('token-expired'), `errors: ${s.log.errors}`);
    assert.deepEqual(s.log.states.slice(-2), ['reconnecting', 'failed']);
    const alert = await ada.evaluate(() => document.querySelector('mesh-room')!.shadowRoot!.querySelector('[part="error"]')?.textContent ?? '');
    assert.match(alert, /access token for this room has expired.*get a new one/);
  });

  it('a refreshed token, set before the old one expired, is the one used on resume: the member stays', TEST, async () => {
    const { id, ada, bob } = await room(TTL);
    const before = await state(ada);
    await ada.evaluate((t) => { document.querySelector('mesh-room')!.token = t; }, token(id, 'Ada', 3600));
    await outlive(TTL); // the first token is now expired: only the new one can let her back in
    proxy.cut();
    await ada.waitForFunction(() => (window as any).__log.states.includes('reconnecting'), undefined, { timeout: 10_000, polling: 20 });
    await ada.waitForFunction(() => document.querySelector('mesh-room')!.state === 'connected', undefined, { timeout: 20_000, polling: 50 });
    const after = await state(ada);
    assert.deepEqual(after.log.errors, [], 'no token error');
    assert.equal(after.selfId, before.selfId, 'the same member, resumed');
    assert.deepEqual(after.peers, ['Bob:connected']);
    // Bob never saw Ada leave, and a message after the resume goes through the relay (stored = acknowledged).
    assert.deepEqual((await state(bob)).log.left, []);
    await ada.evaluate(() => document.querySelector('mesh-room')!.send({ text: 'back with a new token' }));
    await ada.waitForFunction(() => { const r = document.querySelector('mesh-room')!; const m = r.history.at(-1); return m?.self && !r.core!.isPending(m.id); }, undefined, { timeout: 10_000, polling: 50 });
    await bob.waitForFunction(() => document.querySelector('mesh-room')!.history.some((m) => (m.data as any)?.text === 'back with a new token'), undefined, { timeout: 10_000, polling: 50 });
  });
});
