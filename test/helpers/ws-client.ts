import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ServerFrame, WelcomeFrame, SyncedFrame } from '../../core/protocol.js';
import { PROTOCOL_VERSION } from '../../core/protocol.js';

export const randomId = (): string => randomBytes(16).toString('base64url');

/**
 * A real WebSocket client for relay tests: records every frame, and lets a test await the next
 * frame matching a predicate (each frame is handed out once).
 */
export class WsClient {
  readonly frames: ServerFrame[] = [];
  readonly peerId = randomId();
  readonly key = randomId();
  session = randomId();
  private taken = new Set<number>();
  private waiters: Array<() => void> = [];
  closeInfo: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(raw.toString()) as ServerFrame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first unconsumed frame matching `pred`; rejects after `timeoutMs`. */
  next<T extends ServerFrame = ServerFrame>(pred: (f: ServerFrame) => boolean, timeoutMs = 5000, what = 'frame'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = 0; i < this.frames.length; i++) {
          if (!this.taken.has(i) && pred(this.frames[i])) {
            this.taken.add(i);
            resolve(this.frames[i] as T);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  type<K extends ServerFrame['type']>(type: K, timeoutMs = 5000): Promise<Extract<ServerFrame, { type: K }>> {
    return this.next((f) => f.type === type, timeoutMs, `"${type}"`) as Promise<Extract<ServerFrame, { type: K }>>;
  }

  /** Frames of a type received so far, consumed or not. */
  all<K extends ServerFrame['type']>(type: K): Array<Extract<ServerFrame, { type: K }>> {
    return this.frames.filter((f) => f.type === type) as Array<Extract<ServerFrame, { type: K }>>;
  }

  joinFrame(room: string, name: string, extra: Record<string, unknown> = {}) {
    return { type: 'join', v: PROTOCOL_VERSION, room, peerId: this.peerId, key: this.key, session: this.session, name, baseN: 0, lastN: 0, ...extra };
  }

  /** Joins and waits for the welcome and the end of the catch-up. */
  async join(room: string, name: string, extra: Record<string, unknown> = {}): Promise<{ welcome: WelcomeFrame; synced: SyncedFrame }> {
    this.send(this.joinFrame(room, name, extra));
    const welcome = await this.type('welcome');
    const synced = await this.type('synced');
    return { welcome, synced };
  }

  closed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      if (this.closeInfo) return resolve(this.closeInfo);
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.waiters.push(() => {
        if (this.closeInfo) {
          clearTimeout(timer);
          resolve(this.closeInfo);
        }
      });
    });
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the TCP connection without a close frame (a network cut as the relay sees it). */
  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
