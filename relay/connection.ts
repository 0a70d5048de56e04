import type { WebSocket, RawData } from 'ws';
import { ERROR_CODES, type ClientFrame, type ErrorCode, type JoinFrame, type ServerFrame, frameRef, isProblem, parseClientFrame } from '../core/protocol.js';
import { RoomError, type MemberSocket } from './relay-room.js';
import type { Membership, RoomBackend } from './room-backend.js';
import type { RelayOptions } from './relay-options.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './relay-metrics.js';
import { TokenBucket } from './rate-limiter.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  options: RelayOptions;
  log: Logger;
  metrics: RelayMetrics;
  /** Checks a join before the backend sees it (shutdown, tokens); throws {@link RoomError}. */
  admit(frame: JoinFrame): void;
  /** Where the rooms are. */
  backend: RoomBackend;
  /** The connection is gone; forget it. */
  dropped(conn: Connection): void;
}

/** Frames held for one socket while its replay is written, before the socket is dropped as too slow. */
const MAX_HELD_FRAMES = 10_000;
/** Bytes queued in the socket beyond which the client is too slow to keep; it resumes later. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * One client socket: validates every frame, answers problems with typed `error` frames, and hands
 * valid frames to its room. Nothing a client sends can throw out of here.
 */
export class Connection implements MemberSocket {
  membership: Membership | null = null;
  private joining = false;
  private paused = false;
  private held: string[] = [];
  private closed = false;
  private readonly joinTimer: ReturnType<typeof setTimeout>;
  /** Frames this connection may send. */
  private readonly rate: TokenBucket;
  /** Refused frames this connection may still send before it is closed; refills slowly. */
  private readonly strikes: TokenBucket;
  private lastRateError = 0;
  private corked = false;

  constructor(readonly ws: WebSocket, readonly ip: string, private readonly host: ConnectionHost) {
    const o = host.options;
    const now = Date.now();
    this.rate = new TokenBucket(o.ratePerSecond, o.rateBurst, now);
    this.strikes = new TokenBucket(o.maxStrikes / 10, o.maxStrikes, now);
    this.joinTimer = setTimeout(() => {
      if (!this.membership) this.close(4002, 'no join frame received in time');
    }, host.options.joinTimeoutMs);
    ws.on('message', (raw, isBinary) => this.onMessage(raw, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => host.log.debug('socket error', { ip, err: String(err) }));
  }

  send(frame: ServerFrame | string): void {
    if (this.closed) return;
    const json = typeof frame === 'string' ? frame : JSON.stringify(frame);
    if (this.paused) {
      this.held.push(json);
      if (this.held.length > MAX_HELD_FRAMES) this.close(4008, 'client too slow to read its replay');
      return;
    }
    this.write(json);
  }

  sendNow(frame: ServerFrame | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || this.ws.readyState !== this.ws.OPEN) return resolve();
      this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame), () => resolve());
    });
  }

  pause(): void { this.paused = true; }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const json of held) this.write(json);
  }

  /** Closes the socket once; later calls do nothing. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.joinTimer);
    this.ws.close(code, reason);
  }

  private write(json: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(4008, 'client too slow: send buffer full');
      return;
    }
    this.corkUntilNextTurn();
    this.ws.send(json);
  }

  /**
   * Everything sent to this socket during one event-loop turn leaves in one write: under load a
   * socket receives several frames per turn, and one syscall each was most of the relay's CPU.
   * (`ws` has no cork of its own; its underlying socket is corked, when it exposes one.)
   */
  private corkUntilNextTurn(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket?.cork) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private error(code: ErrorCode, message: string = ERROR_CODES[code], ref?: string): void {
    this.host.metrics.countError(code);
    if (!this.strikes.take(Date.now())) {
      this.close(4008, 'too many refused frames');
      return;
    }
    this.sendError(code, message, ref);
  }

  private sendError(code: ErrorCode, message: string, ref?: string): void {
    const frame: ServerFrame = { type: 'error', code, message };
    if (ref !== undefined) frame.ref = ref;
    // Error frames bypass the replay pause: they answer the frame just received.
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private onMessage(raw: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.rate.take(now)) {
      // Dropped. Tell the client at most once a second, and count it against the connection.
      this.host.metrics.countError('rate-limited');
      if (!this.strikes.take(now)) return this.close(4008, 'rate limit exceeded for too long');
      if (now - this.lastRateError >= 1000) {
        this.lastRateError = now;
        this.sendError('rate-limited', `more than ${this.host.options.ratePerSecond} frames per second; slow down`);
      }
      return;
    }
    const size = Array.isArray(raw) ? raw.reduce((s, b) => s + b.length, 0) : (raw as Buffer | ArrayBuffer).byteLength;
    if (isBinary) return this.error('bad-frame', 'binary frames are not part of the protocol');
    if (size > this.host.options.maxFrameBytes) {
      return this.error('frame-too-large', `frame is ${size} bytes; the relay accepts at most ${this.host.options.maxFrameBytes}`);
    }
    const parsed = parseClientFrame(raw.toString());
    if (isProblem(parsed)) return this.error(parsed.problem, parsed.message, parsed.ref);
    this.handle(parsed).catch((err: unknown) => {
      if (err instanceof RoomError) return this.error(err.code, err.message, frameRef(parsed));
      this.host.log.error('frame handler failed', { type: parsed.type, err: String((err as Error)?.stack ?? err) });
      this.error('internal', 'the relay failed to handle this frame', parsed.type);
    });
  }

  private async handle(f: ClientFrame): Promise<void> {
    if (f.type === 'ping') return this.send({ type: 'pong', t: f.t });
    if (f.type === 'join') {
      if (this.membership || this.joining) throw new RoomError('already-joined', 'this socket has already joined; open a new socket to join another room');
      this.joining = true;
      try {
        this.host.admit(f);
        const membership = await this.host.backend.join(this, f);
        this.membership = membership;
        this.host.metrics.joins++;
        clearTimeout(this.joinTimer);
        // The socket may have closed while the welcome was written: start the grace period now.
        if (this.closed) void this.host.backend.socketClosed(membership, this).catch(() => {});
      } catch (err) {
        // A refused join ends the socket: the error frame says why, the close code marks it final.
        if (err instanceof RoomError) {
          this.error(err.code, err.message, 'join');
          this.close(4001, err.code);
          return;
        }
        throw err;
      } finally {
        this.joining = false;
      }
      return;
    }
    const m = this.membership;
    const backend = this.host.backend;
    if (!m || !backend.isCurrent(m, this)) throw new RoomError('not-joined', `join a room before sending "${f.type}"`);
    switch (f.type) {
      case 'leave':
        await backend.leave(m, this, f.session);
        this.membership = null;
        this.close(1000, 'left');
        return;
      case 'signal':
        await backend.signal(m, this, f);
        return;
      case 'publish':
        await backend.publish(m, this, f.n, f.data, f.sentAt, f.dataJson);
        return;
    }
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.joinTimer);
    this.held = [];
    const m = this.membership;
    if (m) void this.host.backend.socketClosed(m, this).catch((err: unknown) => this.host.log.warn('could not start a grace period', { err: String(err) }));
    this.host.dropped(this);
  }
}
