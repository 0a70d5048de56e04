import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** A Janus error: `code` is Janus's (core 4xx, or a plugin's `error_code`, e.g. VideoRoom 426 "no such room"). */
export class JanusError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** What a plugin answered: its data, and a session description when it sent one. */
export interface PluginReply {
  data: Record<string, unknown>;
  jsep?: { type: string; sdp: string };
}

export interface JanusApiOptions {
  /** Janus's WebSocket API, e.g. `ws://127.0.0.1:8188`. */
  url: string;
  /** Janus's `api_secret`, sent with every request; never leaves the relay. */
  apiSecret: string | null;
  /** A request not answered in this time fails, ms. Default 5000. */
  timeoutMs?: number;
  /** Keep-alive interval for the session (Janus drops a silent one after its `session_timeout`, 60 s by default), ms. Default 20_000. */
  keepaliveMs?: number;
  /** A handle's event that no request waits for (`hangup`, `webrtcup`, plugin events). */
  onEvent?: (handle: number, message: Record<string, unknown>) => void;
  /** The connection to Janus closed: every handle is gone with it (Janus ends the session). */
  onLost?: () => void;
}

interface Pending {
  /** Janus's `ack` ends the request (it sends nothing more for it). */
  acked: boolean;
  resolve: (m: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Janus's error for a session it no longer has (expired, or Janus restarted behind a proxy). */
const NO_SUCH_SESSION = 458;
/** After a failed connect, requests fail at once for this long, ms (Janus down must not stall every frame). */
const RECONNECT_PAUSE_MS = 1000;

/**
 * One session on Janus's WebSocket API, opened on first use and again after it was lost: requests
 * matched to their answers by transaction (a plugin's asynchronous answer, not its `ack`, ends
 * one), a keep-alive, and the events of handles passed on. `close()` ends the session.
 */
export class JanusApi {
  readonly #o: Required<Omit<JanusApiOptions, 'onEvent' | 'onLost'>> & Pick<JanusApiOptions, 'onEvent' | 'onLost'>;
  #ws: WebSocket | null = null;
  #session: Promise<number> | null = null;
  #failedAt = -Infinity;
  #keepalive: ReturnType<typeof setInterval> | null = null;
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(options: JanusApiOptions) {
    this.#o = { timeoutMs: 5000, keepaliveMs: 20_000, ...options };
  }

  /** Attaches a handle to `plugin` in our session. */
  async attach(plugin: string): Promise<number> {
    const reply = await this.#request({ janus: 'attach', plugin });
    return (reply.data as { id: number }).id;
  }

  /** Detaches a handle (its peer connection ends); an unknown handle is not an error. */
  async detach(handle: number): Promise<void> {
    try {
      await this.#request({ janus: 'detach', handle_id: handle });
    } catch (err) {
      if (!(err instanceof JanusError)) throw err;
    }
  }

  /** A request to the handle's plugin; rejects with {@link JanusError} when the plugin refuses it. */
  async message(handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<PluginReply> {
    const reply = await this.#request({ janus: 'message', handle_id: handle, body, ...(jsep ? { jsep } : {}) });
    const data = ((reply.plugindata as { data?: Record<string, unknown> } | undefined)?.data) ?? {};
    if (typeof data.error_code === 'number') throw new JanusError(data.error_code, String(data.error ?? 'plugin error'));
    return { data, ...(reply.jsep ? { jsep: reply.jsep as PluginReply['jsep'] } : {}) };
  }

  /** Trickles an ICE candidate (null: gathering complete) to a handle's peer connection. */
  async trickle(handle: number, candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null): Promise<void> {
    await this.#request({ janus: 'trickle', handle_id: handle, candidate: candidate ?? { completed: true } }, true);
  }

  /** Ends the session and the connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drop(new Error('the SFU connection was closed'));
  }

  /** A request in our session; `acked`: Janus only acknowledges it (trickle), that ends it. */
  async #request(body: Record<string, unknown>, acked = false): Promise<Record<string, unknown>> {
    const session = await this.#sessionId();
    return this.#send({ ...body, session_id: session }, acked);
  }

  #sessionId(): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('the SFU connection was closed'));
    if (this.#session) return this.#session;
    if (Date.now() - this.#failedAt < RECONNECT_PAUSE_MS) return Promise.reject(new Error('the SFU did not answer a moment ago'));
    const session = this.#open().then(async () => {
      const reply = await this.#send({ janus: 'create' });
      const id = (reply.data as { id: number }).id;
      // Janus acknowledges a keep-alive; one that goes unanswered means the connection is dead
      // (half-open) or the session gone: drop it, the next request opens a new one.
      this.#keepalive = setInterval(() => {
        this.#send({ janus: 'keepalive', session_id: id }, true).catch(() => this.#lost());
      }, this.#o.keepaliveMs);
      this.#keepalive.unref?.();
      return id;
    });
    session.catch(() => {
      this.#failedAt = Date.now();
      this.#drop(new Error('the SFU could not be reached'));
    });
    this.#session = session;
    return session;
  }

  #open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.#o.url, 'janus-protocol', { handshakeTimeout: this.#o.timeoutMs });
      this.#ws = ws;
      ws.on('open', () => resolve());
      ws.on('error', (err) => reject(err));
      ws.on('message', (raw) => this.#onMessage(raw.toString()));
      ws.on('close', () => {
        if (this.#ws !== ws) return;
        reject(new Error('the SFU closed the connection'));
        this.#lost();
      });
    });
  }

  #send(body: Record<string, unknown>, acked = false): Promise<Record<string, unknown>> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('the SFU connection is not open'));
    const transaction = randomBytes(9).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new Error(`the SFU did not answer "${String(body.janus)}" within ${this.#o.timeoutMs} ms`));
      }, this.#o.timeoutMs);
      this.#pending.set(transaction, { acked, resolve, reject, timer });
      ws.send(JSON.stringify({ ...body, transaction, ...(this.#o.apiSecret ? { apisecret: this.#o.apiSecret } : {}) }));
    });
  }

  #onMessage(text: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const p = typeof m.transaction === 'string' ? this.#pending.get(m.transaction) : undefined;
    if (p && (m.janus !== 'ack' || p.acked)) {
      this.#pending.delete(m.transaction as string);
      clearTimeout(p.timer);
      if (m.janus === 'error') {
        const e = m.error as { code?: number; reason?: string } | undefined;
        p.reject(new JanusError(e?.code ?? 0, e?.reason ?? 'Janus error'));
        if (e?.code === NO_SUCH_SESSION) this.#lost();
      } else {
        p.resolve(m);
      }
      return;
    }
    if (!p && m.janus === 'timeout') return this.#lost(); // Janus ended our session
    if (!p && typeof m.sender === 'number') this.#o.onEvent?.(m.sender, m);
  }

  /** The connection or the session is gone: every handle with it. */
  #lost(): void {
    if (!this.#session) return;
    this.#drop(new Error('the SFU connection was lost'));
    this.#o.onLost?.();
  }

  #drop(reason: Error): void {
    if (this.#keepalive) clearInterval(this.#keepalive);
    this.#keepalive = null;
    this.#session = null;
    const ws = this.#ws;
    this.#ws = null;
    ws?.terminate(); // a half-open connection would never finish a closing handshake
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.#pending.clear();
  }
}
