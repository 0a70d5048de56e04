import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RoomOptions, RoomState, RoomMessage, ReconnectReport } from '../../core/index.js';
import { newUser } from './browser.js';

/** What a test page records about its room. */
export interface PageLog {
  states: RoomState[];
  messages: Array<Pick<RoomMessage, 'id' | 'from' | 'n' | 'data' | 'via' | 'self'>>;
  errors: string[];
  reconnected: ReconnectReport[];
  lost: number;
  /** Link states seen per peer id, in order. */
  linkStates: Record<string, string[]>;
}

export interface LinkSnapshot { id: string; name: string; state: string; connectionsCreated: number; iceRestartsMade: number; generation: number; channelOpen: boolean }

type Tuning = Pick<RoomOptions, 'signaling' | 'link' | 'messages' | 'maxPeers' | 'files'>;

/**
 * Runs in the page: creates a core `Room` (from the built `dist/core.js` served by the relay)
 * and records everything it sees in `window.__mesh`. Self-contained, so any driver (Playwright,
 * puppeteer) can pass it to `evaluate`.
 */
export async function installRoom(o: { relay: string | string[]; room: string; name: string } & Tuning): Promise<void> {
  const { Room } = await import('/dist/core.js' as string);
  const room = new Room(o);
  const log = { states: [] as string[], messages: [] as unknown[], errors: [] as string[], reconnected: [] as unknown[], lost: 0, linkStates: {} as Record<string, string[]> };
  room.addEventListener('state-change', (e: CustomEvent) => log.states.push(e.detail.to));
  room.addEventListener('message', (e: CustomEvent) => {
    const m = e.detail;
    log.messages.push({ id: m.id, from: m.from, n: m.n, data: m.data, via: m.via, self: m.self });
  });
  room.addEventListener('error', (e: CustomEvent) => log.errors.push(e.detail.code));
  room.addEventListener('reconnected', (e: CustomEvent) => log.reconnected.push(e.detail));
  room.addEventListener('messages-lost', (e: CustomEvent) => { log.lost += e.detail.count; });
  room.addEventListener('peer-update', (e: CustomEvent) => {
    const list = (log.linkStates[e.detail.id] ??= []);
    if (list[list.length - 1] !== e.detail.state) list.push(e.detail.state);
  });
  (window as unknown as { __mesh: unknown }).__mesh = { room, log };
}

/**
 * One user in its own browser context, running a core `Room` (from the built `dist/core.js`
 * served by the relay) with test tuning, and recording everything it sees in `window.__mesh`.
 */
export class PeerPage {
  private constructor(readonly context: BrowserContext, readonly page: Page, readonly name: string) {}

  static async open(browser: Browser, httpUrl: string, opts: { relay: string | string[]; room: string; name: string } & Tuning): Promise<PeerPage> {
    const { context, page } = await newUser(browser);
    await page.goto(httpUrl + '/healthz');
    await page.evaluate(installRoom, opts);
    return new PeerPage(context, page, opts.name);
  }

  join(): Promise<void> {
    return this.page.evaluate(() => (window as any).__mesh.room.join());
  }

  leave(): Promise<void> {
    return this.page.evaluate(() => (window as any).__mesh.room.leave());
  }

  send(data: unknown): Promise<string> {
    return this.page.evaluate((d) => (window as any).__mesh.room.send(d).id, data);
  }

  state(): Promise<RoomState> {
    return this.page.evaluate(() => (window as any).__mesh.room.state);
  }

  selfId(): Promise<string> {
    return this.page.evaluate(() => (window as any).__mesh.room.selfId);
  }

  log(): Promise<PageLog> {
    return this.page.evaluate(() => (window as any).__mesh.log);
  }

  links(): Promise<LinkSnapshot[]> {
    return this.page.evaluate(() => {
      const room = (window as any).__mesh.room;
      return room.peers.map((p: any) => {
        const link = room.linkTo(p.id);
        return { id: p.id, name: p.name, state: p.state, connectionsCreated: link?.connectionsCreated ?? 0, iceRestartsMade: link?.iceRestartsMade ?? 0, generation: link?.generation ?? -1, channelOpen: link?.channelOpen ?? false };
      });
    });
  }

  /** Waits until the room is connected with an open link to `peers` others. */
  async meshed(peers: number, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((n) => {
      const room = (window as any).__mesh.room;
      return room.state === 'connected' && room.peers.length === n && room.peers.every((p: any) => p.state === 'connected');
    }, peers, { timeout: timeoutMs, polling: 20 });
  }

  /** Waits until the room state is `state`. */
  async reach(state: RoomState, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((s) => (window as any).__mesh.room.state === s, state, { timeout: timeoutMs, polling: 20 });
  }

  /** Waits until some link to a peer is in `state`. */
  async anyLink(state: string, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((s) => (window as any).__mesh.room.peers.some((p: any) => p.state === s), state, { timeout: timeoutMs, polling: 20 });
  }

  /** Waits until `count` messages from others have been delivered. */
  async received(count: number, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((n) => (window as any).__mesh.log.messages.filter((m: any) => !m.self).length >= n, count, { timeout: timeoutMs, polling: 20 });
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => (window as any).__mesh?.room.close()).catch(() => {});
    await this.context.close();
  }
}
