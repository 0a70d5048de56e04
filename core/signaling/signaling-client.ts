import { backoffDelay } from '../base/backoff.js';
import { systemClock, Timer, type Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import { Pacer } from './pacer.js';
import { SetupQueue, type SetupFrame } from './setup-queue.js';
import { joinFrame } from './join-frame.js';
import { listenForWakeups } from './wakeups.js';
import { pageReachability } from './relay-reachable.js';
import { RelayQuestions } from './relay-questions.js';
import { RelayLiveness } from './relay-liveness.js';
import { CLOSE_CODES, FATAL_JOIN_ERRORS, type ClientFrame, type ServerFrame, type StreamPosition } from '../protocol.js';
import { isProblem, parseServerFrame } from '../protocol/frame-validation.js';
import { StateMachine } from '../base/state-machine.js';
import { resolveTuning, SIGNALING_TRANSITIONS, type SignalingClientOptions, type SignalingEventMap, type SignalingState, type SignalingTuning, type WebSocketConstructor, type WebSocketLike } from './signaling-types.js';
import { TypedEventTarget } from '../base/typed-event-target.js';

const OPEN = 1;
/**
 * While reconnecting by asking over HTTP first, a WebSocket is opened anyway when none was tried
 * for this long, in case HTTP stopped answering where WebSockets still would. Rare on purpose:
 * each such attempt that fails counts towards the browser's WebSocket throttle.
 */
const WEBSOCKET_ANYWAY_MS = 30_000;

/**
 * One WebSocket to the relay, kept alive: joins (or resumes) on every connect, reconnects with
 * jittered backoff, pings to find half-open sockets, and resends unacknowledged publishes.
 *
 * @example
 * const outbox = new Outbox();
 * const sc = new SignalingClient({ urls: ['wss://relay.example/ws'], outbox, identity: () => ({ ... }) });
 * sc.addEventListener('ack', (e) => outbox.ack(e.detail.n)); // the outbox's owner removes what the relay stored
 * sc.addEventListener('frame', (e) => console.log(e.detail));
 * sc.connect();
 */
export class SignalingClient extends TypedEventTarget<SignalingEventMap> {
  readonly tuning: SignalingTuning;
  readonly #machine: StateMachine<SignalingState>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #WS: WebSocketConstructor;
  /** Whether the relay answers over HTTP (see relay-questions.ts). */
  readonly #questions: RelayQuestions;
  /** When the last WebSocket was opened (clock ms). */
  #openedAt = 0;
  #socket: WebSocketLike | null = null;
  /** Generation of the current socket; handlers of older sockets do nothing. */
  #socketGen = 0;
  #attempt = 0;
  #urlIndex = 0;
  #synced = false;
  #fatal: MeshError | null = null;
  /** When the pending retry runs (clock ms). */
  #retryAt = 0;
  readonly #retryTimer: Timer;
  readonly #connectTimer: Timer;
  readonly #liveness: RelayLiveness;
  readonly #drainTimer: Timer;
  /** Keeps us under the relay's frame rate. */
  readonly #pacer: Pacer;
  /** Signals and SFU requests, under the relay's separate budget for them. */
  readonly #setup: SetupQueue;
  /** Outbox entries written on the current socket (the rest wait for the pacer). */
  #sentOnSocket = new Set<number>();
  #removeListeners: Array<() => void> = [];
  /** Where we are in the room's stream; sent as `resume` on reconnect. */
  position: StreamPosition | null;
  /** Last measured round trip to the relay, ms. */
  rtt: number | null = null;
  /** Why the client is `failed`, if it is. */
  lastError: MeshError | null = null;
  /** When the connection was last lost (clock ms), null while connected. */
  disconnectedAt: number | null = null;

  readonly #options: SignalingClientOptions;
  constructor(options: SignalingClientOptions) {
    super();
    this.#options = options;
    if (options.urls.length === 0) throw new MeshError('invalid-option', 'at least one relay URL is needed');
    this.tuning = resolveTuning(options);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#WS = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor);
    this.#questions = new RelayQuestions(options.reachable !== undefined ? options.reachable : pageReachability(), this.#clock);
    this.position = options.position ?? null;
    this.#retryTimer = new Timer(this.#clock);
    this.#connectTimer = new Timer(this.#clock);
    this.#liveness = new RelayLiveness(this.#clock, this.tuning, {
      synced: () => this.#synced,
      ping: (force) => (force && this.#pacer.force(), this.#sendFrame({ type: 'ping', t: this.#clock.now() })),
      lost: (reason) => this.#lost(reason),
    });
    this.#drainTimer = new Timer(this.#clock);
    this.#pacer = new Pacer(this.#clock);
    this.#setup = new SetupQueue(this.#clock, (frame) => this.#sendFrame(frame));
    this.#machine = new StateMachine<SignalingState>('idle', SIGNALING_TRANSITIONS, (from, to, reason) => {
      this.emit('state-change', { from, to, reason });
    }, 'SignalingClient');
    this.#listenForWakeups();
  }

  get state(): SignalingState { return this.#machine.state; }
  get url(): string { return this.#options.urls[this.#urlIndex % this.#options.urls.length]; }

  /** Whether reconnects to the current relay ask over HTTP before they open a WebSocket. */
  get asksFirst(): boolean { return this.#questions.works(this.url); }

  /** Starts connecting (from `idle`, or again after `failed`). */
  connect(): void {
    if (this.state !== 'idle' && this.state !== 'failed') return;
    this.#fatal = null;
    this.#attempt = 0;
    this.#machine.to('connecting', 'connect() called');
    this.#open();
  }

  /**
   * Sends what the outbox holds that this socket has not carried yet, in order, as fast as the
   * relay's rate allows; the rest follows when the pacer has room. Call after adding to the outbox.
   */
  publish(): void {
    if (!this.#synced) return;
    for (const entry of this.#options.outbox.pending()) {
      if (this.#sentOnSocket.has(entry.n)) continue;
      if (!this.#pacer.take()) {
        if (!this.#drainTimer.pending) this.#drainTimer.set(this.#pacer.wait(), () => this.publish());
        return;
      }
      this.#sendFrame({ type: 'publish', n: entry.n, data: entry.data, sentAt: entry.sentAt });
      this.#sentOnSocket.add(entry.n);
    }
  }

  /** Sends a signal or an SFU request ahead of the outbox (see {@link SetupQueue}); false when not connected. */
  sendNow(frame: SetupFrame): boolean {
    if (!this.#synced) return false;
    this.#setup.send(frame);
    return true;
  }

  /** Sends `leave` (others are told at once) and closes with 1000. */
  leave(session: string): void {
    if (this.#synced) this.#sendFrame({ type: 'leave', session });
    this.close('left the room');
  }

  /**
   * Closes the socket with 1000 and stops every timer and listener. The relay keeps the member
   * for its grace period (use {@link leave} to go at once). Idempotent.
   */
  close(reason = 'closed by the application'): void {
    if (this.state === 'closed') return;
    this.#dropSocket(CLOSE_CODES.normal, reason);
    this.#retryTimer.clear();
    this.#questions.close();
    for (const remove of this.#removeListeners) remove();
    this.#removeListeners = [];
    this.#machine.to('closed', reason);
  }

  /** Checks the connection now (see {@link RelayLiveness.probe}). Used when the network or the page wakes up. */
  probe(): void {
    this.#liveness.probe();
  }

  #open(): void {
    const gen = ++this.#socketGen;
    this.#synced = false;
    this.#openedAt = this.#clock.now();
    let ws: WebSocketLike;
    try {
      ws = new this.#WS(this.url);
    } catch (err) {
      // A malformed URL never works: give up with the reason instead of retrying forever.
      this.#fail(new MeshError('invalid-option', `cannot open a WebSocket to "${this.url}": ${(err as Error).message}`, { cause: err }));
      return;
    }
    this.#socket = ws;
    // A socket that does not open soon is given up early (a SYN into a black hole can wait
    // seconds for its retransmission); each failed attempt allows it 500 ms more.
    const { connectTimeoutMs } = this.tuning;
    const openMs = this.#openMs();
    this.#connectTimer.set(openMs, () => {
      if (gen === this.#socketGen) this.#lost(`the socket did not open within ${openMs} ms`);
    });
    ws.onopen = () => {
      if (gen !== this.#socketGen) return;
      this.#connectTimer.set(connectTimeoutMs, () => {
        if (gen === this.#socketGen) this.#lost(`no welcome within ${connectTimeoutMs} ms`);
      });
      this.#sendFrame(joinFrame(this.#options.identity(), this.#options.outbox.ackedN, this.position));
    };
    ws.onmessage = (ev) => {
      if (gen !== this.#socketGen) return;
      this.#onFrame(typeof ev.data === 'string' ? ev.data : String(ev.data));
    };
    ws.onclose = (ev) => {
      if (gen !== this.#socketGen) return;
      this.#onClose(ev.code, ev.reason);
    };
    ws.onerror = () => {}; // a close event always follows; it decides what to do
  }

  /** Time allowed to open a socket (or to hear an HTTP answer): 500 ms more per failed attempt. */
  #openMs(): number {
    return Math.min(this.tuning.connectTimeoutMs, this.tuning.openTimeoutMs + 500 * this.#attempt);
  }

  /**
   * A retry: where asking over HTTP is known to work, the WebSocket opens only once the relay
   * answers there, so failed attempts never reach the browser's WebSocket throttle; but one opens
   * anyway when none was tried for {@link WEBSOCKET_ANYWAY_MS} of the outage.
   */
  #reconnect(): void {
    const now = this.#clock.now();
    const tried = Math.max(this.#openedAt, this.disconnectedAt ?? now);
    if (!this.asksFirst || now - tried >= WEBSOCKET_ANYWAY_MS) return this.#open();
    const gen = ++this.#socketGen;
    void this.#questions.ask(this.url, this.#openMs()).then((up) => {
      if (gen !== this.#socketGen) return; // closed or replaced meanwhile
      if (up) this.#open();
      else this.#lost('no HTTP answer from the relay');
    });
  }

  #onFrame(raw: string): void {
    this.#liveness.heard();
    const frame = parseServerFrame(raw);
    if (isProblem(frame)) {
      this.emit('error', new MeshError('relay-protocol', frame.message));
      return;
    }
    switch (frame.type) {
      case 'beat':
        return;
      case 'pong':
        this.rtt = Math.max(0, this.#clock.now() - frame.t);
        this.emit('rtt', this.rtt);
        return;
      case 'welcome':
        if (this.position?.epoch !== frame.epoch) this.position = { epoch: frame.epoch, lastSeq: 0 };
        if (frame.limits.ratePerSecond) this.#pacer.configure(frame.limits.ratePerSecond, frame.limits.rateBurst);
        this.#setup.configure(frame.limits);
        this.#liveness.beatMs = frame.limits.heartbeatMs ?? 0;
        this.emit('welcome', frame);
        return;
      case 'synced':
        this.#onSynced(frame);
        return;
      case 'message':
        if (this.position && frame.seq > this.position.lastSeq) this.position.lastSeq = frame.seq;
        this.emit('frame', frame);
        return;
      case 'ack':
        if (this.position && frame.seq > this.position.lastSeq) this.position.lastSeq = frame.seq;
        this.#sentOnSocket.delete(frame.n);
        this.emit('ack', { n: frame.n, seq: frame.seq });
        return;
      case 'error':
        this.#onErrorFrame(frame.code, frame.message, frame.ref);
        return;
      default:
        this.emit('frame', frame);
    }
  }

  #onSynced(frame: ServerFrame & { type: 'synced' }): void {
    this.#connectTimer.clear();
    this.#synced = true;
    this.#attempt = 0;
    this.disconnectedAt = null;
    const from = this.state;
    this.#machine.to('connected', from === 'connecting' ? 'joined' : 'resumed');
    this.emit('synced', frame);
    const gen = this.#socketGen;
    this.#questions.check(this.url, () => gen === this.#socketGen && this.#synced);
    // Resend whatever the relay has not acknowledged, in order; it drops what it already has.
    this.#sentOnSocket = new Set();
    this.publish();
    this.#liveness.start();
  }

  #onErrorFrame(code: string, message: string, ref?: string): void {
    const error = new MeshError(code as MeshError['code'], message);
    if (ref === 'join' && FATAL_JOIN_ERRORS.includes(error.code as never)) {
      this.#fatal = error;
      return; // the relay closes the socket next; onClose turns this into `failed`
    }
    if (code === 'rate-limited' || code === 'out-of-order' || (code === 'unavailable' && ref?.startsWith('publish'))) {
      // Something was dropped: send everything unacknowledged again, in order, after a pause.
      this.#sentOnSocket.clear();
      this.#drainTimer.set(1000, () => this.publish());
      return;
    }
    const publish = ref && /^publish:(\d+)$/.exec(ref);
    if (publish && (code === 'payload-too-large' || code === 'invalid-field')) {
      this.emit('publish-rejected', { n: Number(publish[1]), error });
      return;
    }
    this.emit('error', error);
  }

  #onClose(code: number, reason: string): void {
    this.#socket = null;
    this.#synced = false;
    this.#connectTimer.clear();
    this.#liveness.stop();
    if (this.state === 'closed') return;
    if (this.#fatal) return this.#fail(this.#fatal);
    if (code === CLOSE_CODES.replaced) return this.#fail(new MeshError('replaced', 'another connection resumed this identity'));
    this.#lost(`socket closed (${code}${reason ? ' ' + reason : ''})`);
  }

  /** The connection is gone: move to reconnecting and schedule the next attempt. */
  #lost(reason: string): void {
    this.#dropSocket(4100, reason);
    this.#synced = false;
    if (this.disconnectedAt === null) this.disconnectedAt = this.#clock.now();
    if (this.state === 'connected') this.#machine.to('reconnecting', reason);
    if (this.#attempt >= this.tuning.maxAttempts) {
      this.#fail(new MeshError('signaling-failed', `gave up after ${this.#attempt} attempts to reach the relay (${reason})`));
      return;
    }
    // Relays are tried in turn; a failure moves on to the next URL.
    this.#urlIndex++;
    const delay = backoffDelay(this.#attempt++, this.tuning.backoff, this.#random, this.#clock.now() - this.disconnectedAt);
    this.#retry(delay);
  }

  /**
   * Someone who shares our room is connected to the relay again (a peer said so over its data
   * channel): a retry still waiting runs within `jitterMs` instead of at the end of its backoff.
   */
  relayIsBack(jitterMs = 300): void {
    const delay = Math.floor(this.#random() * jitterMs);
    if (this.#retryTimer.pending && this.#retryAt > this.#clock.now() + delay) this.#retry(delay);
  }

  #retry(delay: number): void {
    this.#retryAt = this.#clock.now() + delay;
    this.#retryTimer.set(delay, () => this.#reconnect());
  }

  #fail(error: MeshError): void {
    this.#dropSocket(CLOSE_CODES.normal, error.code);
    this.#retryTimer.clear();
    if (this.state === 'closed' || this.state === 'failed') return;
    // The error first: whoever sees `failed` can already know why.
    this.lastError = error;
    this.emit('error', error);
    this.#machine.to('failed', error.message);
  }

  #dropSocket(code: number, reason: string): void {
    this.#socketGen++;
    this.#connectTimer.clear();
    this.#liveness.stop();
    this.#drainTimer.clear();
    this.#sentOnSocket.clear();
    this.#setup.clear();
    const ws = this.#socket;
    this.#socket = null;
    this.#synced = false;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // Closing a socket that is still connecting reports an error; it must have a handler.
    ws.onerror = () => {};
    try {
      // Browsers allow only 1000 and 3000–4999 from scripts.
      ws.close(code === CLOSE_CODES.normal || (code >= 3000 && code <= 4999) ? code : CLOSE_CODES.normal, reason.slice(0, 120));
    } catch {
      // already closing
    }
  }

  #sendFrame(frame: ClientFrame): boolean {
    const ws = this.#socket;
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Coming back online or to a visible page retries at once instead of waiting out the backoff. */
  #listenForWakeups(): void {
    this.#removeListeners = listenForWakeups(this.#options, () => {
      if (this.#retryTimer.pending) {
        this.#retryTimer.clear();
        this.#reconnect();
      } else if (this.#synced) {
        this.probe();
      }
    });
  }
}
