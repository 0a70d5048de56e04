/**
 * The signaling client's vocabulary: its states and allowed transitions, the socket it needs,
 * its timing knobs with their defaults, and the events it fires.
 */
import { DEFAULT_BACKOFF, type BackoffOptions } from '../base/backoff.js';
import type { RelayReachable } from './relay-reachable.js';
import type { Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import type { JoinFrame, ServerFrame, StreamPosition, SyncedFrame, WelcomeFrame } from '../protocol.js';
import type { StateChange, TransitionTable } from '../base/state-machine.js';

/**
 * `idle` → `connecting` (first connection) → `connected` ⇄ `reconnecting`; `failed` when it gives
 * up or the relay refuses the join for good; `closed` after {@link SignalingClient.close}.
 */
export type SignalingState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export const SIGNALING_TRANSITIONS: TransitionTable<SignalingState> = {
  idle: ['connecting', 'closed'],
  connecting: ['connected', 'failed', 'closed'],
  connected: ['reconnecting', 'failed', 'closed'],
  reconnecting: ['connected', 'failed', 'closed'],
  failed: ['connecting', 'closed'],
  closed: [],
};

/** The subset of the browser `WebSocket` the client uses (the `ws` package fits too). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Timing and retry knobs; each has a default that suits a real deployment. */
export interface SignalingTuning {
  /** Reconnect attempts before `failed`. Default `Infinity` (keep trying while joined). */
  maxAttempts: number;
  /**
   * Delays between attempts (full jitter). Default 250 ms first, then 1 s doubling to 30 s, but
   * at most 2 s for the first two minutes of an outage.
   */
  backoff: BackoffOptions;
  /** How often to ping the relay while connected, ms. Default 10_000. */
  pingIntervalMs: number;
  /** Silence after which the socket is presumed dead (half-open) and replaced, ms. Default 30_000. */
  pingTimeoutMs: number;
  /** Time allowed for the socket to open on a first attempt (500 ms more per failed attempt, up to connectTimeoutMs), ms. Default 2000. */
  openTimeoutMs: number;
  /** Time allowed for join + catch-up once the socket is open, ms. Default 10_000. */
  connectTimeoutMs: number;
}

export const DEFAULT_SIGNALING_TUNING: SignalingTuning = {
  maxAttempts: Infinity,
  backoff: DEFAULT_BACKOFF,
  pingIntervalMs: 10_000,
  pingTimeoutMs: 30_000,
  openTimeoutMs: 2000,
  connectTimeoutMs: 10_000,
};

/** A publish waiting for the relay's acknowledgement. */
export interface PendingPublish { n: number; data: unknown; sentAt: number }

/** What the client reads of the outbox it publishes from. */
export interface OutboxView {
  /** Entries in send order. */
  pending(): readonly PendingPublish[];
  /** Highest `n` any relay has acknowledged (the next join continues after it). */
  readonly ackedN: number;
}

/** What the room puts in each join frame; the client adds version, resume position and lastN. */
export type JoinIdentity = Pick<JoinFrame, 'room' | 'peerId' | 'key' | 'session' | 'name' | 'baseN'> & { token?: string };

export interface SignalingClientOptions extends Partial<SignalingTuning> {
  /** Relay WebSocket URLs; tried in turn when one fails. */
  urls: string[];
  /** Identity for the join frame, read on every (re)connect. */
  identity(): JoinIdentity;
  /**
   * The unacknowledged publishes, owned by the room's delivery (which removes an entry on `ack`
   * or `publish-rejected`); sent in order, and again after every reconnect.
   */
  outbox: OutboxView;
  /** Where to resume from; absent for a first join. */
  position?: StreamPosition | null;
  WebSocket?: WebSocketConstructor;
  clock?: Clock;
  random?: () => number;
  /** Source of `online` events (default: `window` when present). */
  networkEvents?: EventTarget | null;
  /** Source of `visibilitychange` events and the current visibility (default: `document`). */
  visibility?: { target: EventTarget; visible(): boolean } | null;
  /**
   * Asks whether the relay answers over HTTP; reconnects ask it first once it was seen to work
   * while connected (see relay-reachable.ts). Default in a page: a `no-cors` fetch of the relay's
   * `/healthz`; null: never ask, open WebSockets only.
   */
  reachable?: RelayReachable | null;
}

export type { StateChange } from '../base/state-machine.js';

export interface SignalingEventMap {
  /** The state changed. */
  'state-change': CustomEvent<StateChange<SignalingState>>;
  /** The relay admitted us; replayed messages follow as `frame` events, then `synced`. */
  'welcome': CustomEvent<WelcomeFrame>;
  /** Catch-up finished; the client is `connected`. */
  'synced': CustomEvent<SyncedFrame>;
  /** Any other frame: message, peer-joined, peer-left, peer-status, signal. */
  'frame': CustomEvent<ServerFrame>;
  /** The relay stored publish `n` as `seq`. */
  /** The relay stored publish `n` (repeated acknowledgements are passed on too). */
  'ack': CustomEvent<{ n: number; seq: number }>;
  /** The relay refused publish `n` for good (e.g. payload too large). */
  'publish-rejected': CustomEvent<{ n: number; error: MeshError }>;
  /** An error frame, or the reason for `failed`. */
  'error': CustomEvent<MeshError>;
  /** A pong arrived; `rtt` is the round trip in ms. */
  'rtt': CustomEvent<number>;
}

/** The tuning with defaults filled in; throws `invalid-option` on a negative or non-numeric value. */
export function resolveTuning(o: Partial<SignalingTuning>): SignalingTuning {
  const d = DEFAULT_SIGNALING_TUNING;
  const t: SignalingTuning = {
    maxAttempts: o.maxAttempts ?? d.maxAttempts,
    backoff: { ...d.backoff, ...o.backoff },
    pingIntervalMs: o.pingIntervalMs ?? d.pingIntervalMs,
    pingTimeoutMs: o.pingTimeoutMs ?? d.pingTimeoutMs,
    openTimeoutMs: o.openTimeoutMs ?? d.openTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs ?? d.connectTimeoutMs,
  };
  for (const [k, v] of Object.entries({ ...t, ...t.backoff })) {
    if (typeof v === 'number' && !(v >= 0)) throw new MeshError('invalid-option', `signaling option ${k} must be a non-negative number, got ${v}`);
  }
  return t;
}
