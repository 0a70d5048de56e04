import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import { CLOSE_CODES, ERROR_CODES, type ClientFrame, type ErrorCode, type JoinFrame, type ServerFrame, frameRef, isProblem, parseClientFrame } from '../core/protocol.js';
import type { MemberSocket, Membership, RelayClock, RoomBackend } from './contracts.js';
import { setupFrameRate, type RelayOptions } from './relay-options.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './relay-metrics.js';
import { RoomError } from './room-error.js';
import { TokenBucket } from './rate-limiter.js';
import { corkUntilNextTurn } from './write-batcher.js';
import { SendBacklog } from './send-backlog.js';
import { CONNECTION_TRANSITIONS, type ConnectionState, StateMachine } from './state-table.js';
import type { SfuGateway } from './sfu/sfu-gateway.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  options: RelayOptions;
  log: Logger;
  metrics: RelayMetrics;
  clock: RelayClock;
  /** Where the rooms are. */
  backend: RoomBackend;
  /**
   * Checks a join before the backend sees it (shutdown, store health, tokens); throws
   * {@link RoomError}. Returns when the admission ends (token expiry, ms), or null.
   */
  admit(frame: JoinFrame): number | null;
  /** The socket is gone; forget it. */
  dropped(conn: Connection): void;
  /** The SFU the relay drives for its members, if it has one. */
  readonly sfu: SfuGateway | null;
}

/** After asking a too-slow client to go (4009), how long it may take to read that before the socket is cut, ms. */
const SLOW_CLOSE_GRACE_MS = 1000;
/** Pre-encoded frames are still text frames. */
const TEXT = { binary: false } as const;
/**
 * Frames go to the socket while it holds less than this; beyond it they wait in the connection's
 * backlog, as references to the frames every member shares, until the socket drains.
 */
const SOCKET_LOW_WATER_BYTES = 256 * 1024;

/**
 * One client socket: validates every frame, answers problems with typed `error` frames, and hands
 * valid frames to its room. Nothing a client sends can throw out of here. Its state follows
 * `CONNECTION_TRANSITIONS`: awaiting-join → joining → joined → leaving → closed.
 */
export class Connection implements MemberSocket {
  membership: Membership | null = null;
  readonly state = new StateMachine<ConnectionState>('awaiting-join', CONNECTION_TRANSITIONS, 'connection');
  private readonly joinTimer: ReturnType<typeof setTimeout>;
  private expiryTimer: unknown = null;
  /** Frames this connection may send. */
  /** Every frame, before it is read: the frame rate and the set-up budget together. */
  private readonly rate: TokenBucket;
  /** Once read: signals and `sfu` frames (set-up), and everything else (messages). */
  private readonly setupRate: TokenBucket;
  private readonly messageRate: TokenBucket;
  /** Refused frames this connection may still send before it is closed; refills slowly. */
  private readonly strikes: TokenBucket;
  /** When the client was last told it sent set-up frames, or other frames, too fast. */
  private readonly lastRateError = { setup: 0, other: 0 };
  /** When a frame was last queued for the client (host clock), for the heartbeat. */
  lastSentAt: number;
  /** Frames waiting for the socket to drain. */
  private readonly backlog = new SendBacklog();

  /** `socket` is the TCP socket under `ws` (the upgrade's): its `drain` hands over waiting frames. */
  constructor(readonly ws: WebSocket, readonly ip: string, private readonly host: ConnectionHost, socket: Duplex) {
    const o = host.options;
    const now = Date.now();
    this.lastSentAt = host.clock.now();
    const setup = setupFrameRate(o);
    this.rate = new TokenBucket(o.ratePerSecond + setup.perSecond, o.rateBurst + setup.burst, now);
    this.setupRate = new TokenBucket(setup.perSecond, setup.burst, now);
    this.messageRate = new TokenBucket(o.ratePerSecond, o.rateBurst, now);
    this.strikes = new TokenBucket(o.maxStrikes / 10, o.maxStrikes, now);
    this.joinTimer = setTimeout(() => {
      if (this.state.is('awaiting-join')) this.close(CLOSE_CODES.joinTimeout, 'no join frame received in time');
    }, o.joinTimeoutMs);
    ws.on('message', (raw, isBinary) => this.onMessage(raw, isBinary));
    ws.on('close', () => this.onSocketClosed());
    socket.on('drain', () => this.flush());
    ws.on('error', (err) => host.log.debug('socket error', { ip, err: String(err) }));
  }

  get isClosed(): boolean { return this.state.is('closed'); }

  /**
   * Queues a frame for the client. Everything queued in one event-loop turn leaves in one write.
   * A socket that holds more than {@link SOCKET_LOW_WATER_BYTES} gets the frame when it drains.
   * A client whose socket and backlog together pass `maxSocketBufferBytes` reads too slowly to
   * keep: it is asked to go (4009) and resumes later, catching up from the replay buffer.
   */
  send(frame: ServerFrame | string | Buffer): void {
    if (this.state.state === 'closed') return;
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    this.lastSentAt = this.host.clock.now();
    const data = Buffer.isBuffer(frame) || typeof frame === 'string' ? frame : JSON.stringify(frame);
    if (this.backlog.length === 0 && ws.bufferedAmount < SOCKET_LOW_WATER_BYTES) return this.write(data);
    this.backlog.push(data);
    if (ws.bufferedAmount + this.backlog.bytes > this.host.options.maxSocketBufferBytes) {
      this.host.metrics.slowClients++;
      this.backlog.clear();
      this.close(CLOSE_CODES.tooSlow, 'too slow: send buffer full; resume to catch up');
      setTimeout(() => ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
    }
  }

  private write(data: string | Buffer): void {
    corkUntilNextTurn(this.ws);
    if (Buffer.isBuffer(data)) this.ws.send(data, TEXT);
    else this.ws.send(data);
  }

  /**
   * The socket drained: hand it waiting frames until it holds enough again (`all`: every one,
   * before a close frame, so what was queued still arrives first).
   */
  private flush(all = false): void {
    const ws = this.ws;
    while (this.backlog.length > 0 && ws.readyState === ws.OPEN && (all || ws.bufferedAmount < SOCKET_LOW_WATER_BYTES)) {
      this.write(this.backlog.shift()!);
    }
  }

  /**
   * Closes the socket once (later calls do nothing); a member it carried starts its grace period.
   * Frames still waiting go out before the close frame (a too-slow client's were dropped).
   */
  close(code: number, reason: string): void {
    if (this.state.is('closed')) return;
    this.flush(true);
    if (!this.enterClosed()) return;
    this.ws.close(code, reason);
  }

  private enterClosed(): boolean {
    if (!this.state.to('closed')) return false;
    this.backlog.clear();
    clearTimeout(this.joinTimer);
    if (this.expiryTimer !== null) this.host.clock.clearTimeout(this.expiryTimer);
    const m = this.membership;
    if (m) void this.host.backend.socketClosed(m, this).catch((err: unknown) => this.host.log.warn('could not start a grace period', { err: String(err) }));
    return true;
  }

  private onSocketClosed(): void {
    this.enterClosed();
    this.host.dropped(this);
  }

  private error(code: ErrorCode, message: string = ERROR_CODES[code], ref?: string): void {
    this.host.metrics.countError(code);
    if (!this.strikes.take(Date.now())) {
      this.close(CLOSE_CODES.policy, 'too many refused frames');
      return;
    }
    this.sendError(code, message, ref);
  }

  private sendError(code: ErrorCode, message: string, ref?: string): void {
    const frame: ServerFrame = { type: 'error', code, message };
    if (ref !== undefined) frame.ref = ref;
    this.send(frame);
  }

  private onMessage(raw: RawData, isBinary: boolean): void {
    if (this.state.state === 'closed') return;
    const now = Date.now();
    if (!this.rate.take(now)) return this.limited(now);
    const size = Array.isArray(raw) ? raw.reduce((s, b) => s + b.length, 0) : (raw as Buffer | ArrayBuffer).byteLength;
    if (isBinary) return this.error('bad-frame', 'binary frames are not part of the protocol');
    if (size > this.host.options.maxFrameBytes) {
      return this.error('frame-too-large', `frame is ${size} bytes; the relay accepts at most ${this.host.options.maxFrameBytes}`);
    }
    const parsed = parseClientFrame(raw.toString());
    if (isProblem(parsed)) return this.error(parsed.problem, parsed.message, parsed.ref);
    const setup = parsed.type === 'signal' || parsed.type === 'sfu';
    if (!(setup ? this.setupRate : this.messageRate).take(now)) return this.limited(now, setup);
    this.handle(parsed).catch((err: unknown) => {
      if (err instanceof RoomError) return this.error(err.code, err.message, frameRef(parsed));
      this.host.log.error('frame handler failed', { type: parsed.type, err: String((err as Error)?.stack ?? err) });
      this.error('internal', 'the relay failed to handle this frame', parsed.type);
    });
  }

  /** A frame past the rate is dropped. The client is told at most once a second, and it counts against the connection. */
  private limited(now: number, setup = false): void {
    this.host.metrics.countError('rate-limited');
    if (!this.strikes.take(now)) return this.close(CLOSE_CODES.policy, 'rate limit exceeded for too long');
    const kind = setup ? 'setup' : 'other';
    if (now - this.lastRateError[kind] < 1000) return;
    this.lastRateError[kind] = now;
    const o = this.host.options;
    this.sendError('rate-limited', setup
      ? `more than ${setupFrameRate(o).perSecond} signals and SFU requests per second; slow down`
      : `more than ${o.ratePerSecond} frames per second; slow down`);
  }

  private async handle(f: ClientFrame): Promise<void> {
    if (f.type === 'ping') return this.send({ type: 'pong', t: f.t });
    if (f.type === 'join') return this.join(f);
    const m = this.membership;
    const backend = this.host.backend;
    if (this.state.state !== 'joined' || !m || !backend.isCurrent(m, this)) throw new RoomError('not-joined', `join a room before sending "${f.type}"`);
    switch (f.type) {
      case 'leave':
        this.state.to('leaving');
        try {
          await backend.leave(m, this, f.session);
          this.membership = null;
        } catch (err) {
          // Not recorded (the store is away): the member ends by its grace period instead.
          if (err instanceof RoomError) this.sendError(err.code, err.message, 'leave');
          else this.host.log.error('leave failed', { err: String((err as Error)?.stack ?? err) });
        }
        this.close(CLOSE_CODES.normal, 'left');
        return;
      case 'signal':
        return backend.signal(m, this, f);
      case 'publish':
        return backend.publish(m, this, f);
      case 'sfu':
        if (!this.host.sfu) {
          const peer = 'peer' in f && f.peer ? { peer: f.peer } : {};
          return this.send({ type: 'sfu', op: 'failed', ...peer, code: 'sfu-unavailable', message: 'this relay has no SFU (start it with --sfu-url)' });
        }
        return this.host.sfu.handle(m, f, (r) => this.send(r));
    }
  }

  private async join(f: JoinFrame): Promise<void> {
    if (!this.state.is('awaiting-join')) throw new RoomError('already-joined', 'this socket has already joined; open a new socket to join another room');
    this.state.to('joining');
    clearTimeout(this.joinTimer);
    let membership: Membership;
    let expiresAt: number | null;
    try {
      expiresAt = this.host.admit(f);
      membership = await this.host.backend.join(this, f);
    } catch (err) {
      // A refused join ends the socket: the error frame says why, the close code marks it.
      const refusal = err instanceof RoomError ? err : new RoomError('internal', 'the relay failed to handle the join');
      if (!(err instanceof RoomError)) this.host.log.error('join failed', { err: String((err as Error)?.stack ?? err) });
      this.error(refusal.code, refusal.message, 'join');
      this.close(CLOSE_CODES.joinRefused, refusal.code);
      return;
    }
    this.host.metrics.joins++;
    this.membership = membership;
    if (this.state.is('closed')) {
      // The socket closed while the join was under way: the grace period starts now.
      await this.host.backend.socketClosed(membership, this);
      return;
    }
    this.state.to('joined');
    if (expiresAt !== null) {
      const clock = this.host.clock;
      this.expiryTimer = clock.setTimeout(() => {
        this.expiryTimer = null;
        this.close(CLOSE_CODES.tokenExpired, 'the room token expired; resume with a fresh one');
      }, Math.max(0, expiresAt - clock.now()));
    }
  }
}
