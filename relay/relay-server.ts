import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { CLOSE_CODES, type JoinFrame, nameKey } from '../core/protocol.js';
import type { BackendContext, RelayClock, RoomBackend } from './contracts.js';
import { OriginPolicy } from './origin-policy.js';
import { KeyedLimiter } from './rate-limiter.js';
import { verifyRoomToken } from './room-token.js';
import { iceServersFor } from './turn-credentials.js';
import { Connection, type ConnectionHost } from './connection.js';
import { Logger } from './logger.js';
import { RelayMetrics } from './relay-metrics.js';
import { resolveRelayOptions, type RelayOptions, type RelayOptionsInput } from './relay-options.js';
import { RoomError } from './room-error.js';
import type { RelayRoom } from './relay-room.js';
import { MemoryBackend } from './memory-backend.js';
import { RedisBackend } from './redis-backend.js';
import { handleHttp } from './http-routes.js';
import { addressKey } from './address-key.js';
import { systemClock } from './system-clock.js';
import { startupWarnings } from './startup-checks.js';
import { SERVER_TRANSITIONS, type ServerState, StateMachine } from './state-table.js';
import { SfuGateway } from './sfu/sfu-gateway.js';

/** The heartbeat frame, encoded once. */
const BEAT = Buffer.from(JSON.stringify({ type: 'beat' }));

export interface RelayDeps {
  log?: Logger;
  /** Time for grace periods, message ages and token expiry; default the real clock. */
  clock?: RelayClock;
  /** Where rooms live; default: this process ({@link MemoryBackend}), or Redis with `redis`. */
  backend?: (ctx: BackendContext) => RoomBackend;
}

/**
 * The mesh-room relay: one HTTP server that serves static files and small JSON endpoints, and
 * upgrades `/ws` to the signaling and room-message protocol of `core/protocol.ts`. Its state
 * follows `SERVER_TRANSITIONS`: new → starting → listening → closing → closed.
 *
 * @example
 * const relay = new RelayServer({ port: 0 });
 * const { port } = await relay.listen();
 * // ... clients connect to relay.wsUrl
 * await relay.close();
 */
export class RelayServer implements ConnectionHost {
  readonly options: RelayOptions;
  readonly log: Logger;
  readonly clock: RelayClock;
  readonly metrics = new RelayMetrics();
  readonly startedAt = Date.now();
  readonly backend: RoomBackend;
  /** Which page origins may connect. */
  readonly origins: OriginPolicy;
  readonly state = new StateMachine<ServerState>('new', SERVER_TRANSITIONS, 'relay');
  /** Requests per address to the HTTP endpoints and files. */
  readonly httpLimiter: KeyedLimiter;
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private beatTimer: ReturnType<typeof setInterval> | null = null;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private loopDelayReset: ReturnType<typeof setInterval> | null = null;
  private closing: Promise<void> | null = null;
  private readonly connectionLimiter: KeyedLimiter;
  /** Janus, driven for the members of rooms in SFU mode (null without `sfuUrl`). */
  readonly sfu: SfuGateway | null;

  constructor(input: RelayOptionsInput = {}, deps: RelayDeps = {}) {
    this.options = resolveRelayOptions(input);
    this.log = deps.log ?? new Logger(this.options.logLevel);
    this.clock = deps.clock ?? systemClock;
    this.origins = new OriginPolicy(this.options.allowedOrigins, () => this.selfOrigins());
    this.connectionLimiter = new KeyedLimiter(this.options.connectionsPerSecond, this.options.connectionBurst);
    this.httpLimiter = new KeyedLimiter(this.options.httpRatePerSecond, this.options.httpRateBurst);
    const ctx: BackendContext = {
      options: this.options, log: this.log, metrics: this.metrics, clock: this.clock,
      iceServers: (peerId) => iceServersFor(this.iceConfig, peerId, this.clock.now()),
      memberGone: (roomId, peerId) => this.sfu?.memberGone({ roomId, peerId }),
    };
    this.backend = deps.backend ? deps.backend(ctx)
      : this.options.redis ? new RedisBackend(ctx, this.options.redis)
      : new MemoryBackend(ctx);
    const o = this.options;
    this.sfu = o.sfuUrl ? new SfuGateway({
      url: o.sfuUrl, apiSecret: o.sfuApiSecret, adminKey: o.sfuAdminKey, maxPublishers: o.maxMembers, log: this.log,
      // A hint (members also ask again): a store that is down meanwhile loses nothing that matters.
      announce: (roomId, frame, except) => void this.backend.announce(roomId, frame, except).catch(() => {}),
    }) : null;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.options.hardMaxFrameBytes, perMessageDeflate: false });
    this.http = http.createServer((req, res) => {
      handleHttp(this, req, res).catch((err: unknown) => {
        this.log.error('http handler failed', { url: req.url, err: String(err) });
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal' }));
      });
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    this.state.to('starting');
    try {
      await this.backend.start?.();
      await new Promise<void>((resolve, reject) => {
        this.http.once('error', reject);
        this.http.listen(this.options.port, this.options.host, () => {
          this.http.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if (this.state.is('starting')) this.state.to('failed');
      throw err;
    }
    if (!this.state.is('starting')) throw new Error('the relay was closed while starting');
    this.state.to('listening');
    for (const w of startupWarnings(this.options)) this.log.warn(w.message, { warning: w.code });
    this.loopDelay.enable();
    this.loopDelayReset = setInterval(() => this.loopDelay.reset(), 10_000);
    this.loopDelayReset.unref();
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
    const beat = this.options.heartbeatMs;
    if (beat > 0) {
      this.beatTimer = setInterval(() => this.beatAll(beat), Math.max(10, beat / 8));
      this.beatTimer.unref();
    }
    return this.address();
  }

  address(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  /** `ws://host:port/ws` of the bound server. */
  get wsUrl(): string {
    return `${this.httpUrl.replace(/^http/, 'ws')}/ws`;
  }

  /** `http://host:port` of the bound server. */
  get httpUrl(): string {
    const a = this.address();
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  get isClosing(): boolean { return this.state.is('closing', 'closed'); }

  roomCount(): number { return this.backend.stats().rooms; }
  /** p99 event-loop delay over the last 10 s, seconds. */
  eventLoopLagSeconds(): number { return this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e9 : 0; }
  connectionCount(): number { return this.conns.size; }
  /** The in-memory room (memory backend only; tests and diagnostics). */
  getRoom(id: string): RelayRoom | undefined { return this.backend instanceof MemoryBackend ? this.backend.getRoom(id) : undefined; }

  /** STUN/TURN settings handed to members. */
  get iceConfig() {
    const o = this.options;
    return { turnSecret: o.turnSecret, turnUrls: o.turnUrls, turnTtlSeconds: o.turnTtlSeconds, stunUrls: o.stunUrls };
  }

  /** What `self` in the origin list stands for: the configured public origins and the bound address. */
  selfOrigins(): string[] {
    const out = [...this.options.publicOrigins];
    const a = this.state.is('listening') ? this.address() : null;
    if (a && a.address !== '0.0.0.0' && a.address !== '::') out.push(new URL(this.httpUrl).origin);
    return out;
  }

  /** The client's address: the socket's, or the last proxy hop's report when trusted. */
  clientAddress(req: http.IncomingMessage): string {
    const forwarded = this.options.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const hop = typeof forwarded === 'string' ? forwarded.split(',').pop()?.trim() : undefined;
    return hop || req.socket.remoteAddress || 'unknown';
  }

  admit(frame: JoinFrame): number | null {
    if (this.isClosing) throw new RoomError('shutting-down', 'the relay is shutting down');
    if (!this.backend.healthy) throw new RoomError('unavailable', 'the relay cannot reach its room store right now; retrying will work once it is back');
    if (!this.options.secret) return null;
    // Every join — a resume too — presents a valid token for this room (and name, when bound).
    const check = verifyRoomToken(this.options.secret, frame.token, frame.room, nameKey, frame.name, this.clock.now());
    if (!check.ok) throw new RoomError(check.code, check.message);
    return check.claims.exp * 1000;
  }

  dropped(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    const key = addressKey(conn.ip);
    const n = (this.perAddress.get(key) ?? 1) - 1;
    if (n > 0) this.perAddress.set(key, n);
    else this.perAddress.delete(key);
  }

  /**
   * Stops accepting, closes every socket with `code` (1001 going away by default: clients resume
   * elsewhere or when the relay is back) and releases everything. Idempotent.
   */
  close(code: number = CLOSE_CODES.goingAway, reason = 'relay shutting down'): Promise<void> {
    if (this.closing) return this.closing;
    const wasStarted = !this.state.is('new');
    this.state.to('closing');
    this.closing = (async () => {
      if (this.pingTimer) clearInterval(this.pingTimer);
      if (this.beatTimer) clearInterval(this.beatTimer);
      if (this.loopDelayReset) clearInterval(this.loopDelayReset);
      this.loopDelay.disable();
      for (const conn of this.conns) conn.close(code, reason);
      if (wasStarted && this.http.listening) {
        await new Promise<void>((resolve) => {
          this.http.close(() => resolve());
          this.http.closeAllConnections();
        });
      }
      for (const ws of this.wss.clients) ws.terminate();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      await this.backend.close();
      this.sfu?.close();
      this.state.to('closed');
    })();
    return this.closing;
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: string, code: string, reason: string) => {
      this.metrics.countError(code);
      const body = JSON.stringify({ error: code, message: reason });
      socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (this.isClosing) return refuse('503 Service Unavailable', 'shutting-down', 'the relay is shutting down; retry shortly');
    if (path !== '/ws') return refuse('404 Not Found', 'not-found', 'the WebSocket endpoint is /ws');
    if (!this.origins.allows(req.headers.origin)) {
      return refuse('403 Forbidden', 'origin-denied', `pages from ${String(req.headers.origin).slice(0, 200)} may not use this relay (see --allowed-origins and --public-origin)`);
    }
    const ip = this.clientAddress(req);
    const key = addressKey(ip);
    if (!this.connectionLimiter.take(key, Date.now())) {
      return refuse('429 Too Many Requests', 'rate-limited', 'too many new connections from this address; retry in a few seconds');
    }
    if ((this.perAddress.get(key) ?? 0) >= this.options.maxConnectionsPerAddress) {
      return refuse('429 Too Many Requests', 'too-many-connections', `this address has ${this.options.maxConnectionsPerAddress} connections open already; close some first`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
      this.metrics.connectionsTotal++;
      this.alive.set(ws, true);
      ws.on('pong', () => this.alive.set(ws, true));
      const conn = new Connection(ws, ip, this, socket);
      this.conns.add(conn);
      if (this.isClosing) conn.close(CLOSE_CODES.goingAway, 'relay shutting down');
    });
  }

  /**
   * Sends a beat to every joined member that was sent nothing for `ms`. Each member's beats keep
   * the phase of its own traffic, so they spread over the interval instead of leaving at once.
   */
  private beatAll(ms: number): void {
    const due = this.clock.now() - ms;
    for (const conn of this.conns) {
      if (conn.lastSentAt <= due && conn.state.state === 'joined') conn.send(BEAT);
    }
  }

  /** Terminates sockets that did not answer the previous ping (half-open TCP). */
  private pingAll(): void {
    for (const conn of this.conns) {
      const ws = conn.ws;
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }
}
