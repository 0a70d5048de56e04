/**
 * The peer link's vocabulary: its states and transitions, timing knobs with defaults, options,
 * the media hooks it calls and the events it fires.
 */
import type { BackoffOptions } from '../base/backoff.js';
import type { Clock } from '../base/clock.js';
import type { SignalData } from '../protocol.js';
import { DEFAULT_SEND_QUEUE_LIMITS, type SendQueueLimits } from './send-queue.js';
import type { StateChange, TransitionTable } from '../base/state-machine.js';

/**
 * `new` → `connecting` → `connected` ⇄ `reconnecting`; `closed` at the end. A link that cannot
 * connect keeps trying (ICE restart, then a new connection with backoff) for as long as the
 * remote peer is in the room; only the room closes it.
 */
export type LinkState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export const LINK_TRANSITIONS: TransitionTable<LinkState> = {
  new: ['connecting', 'closed'],
  connecting: ['connected', 'reconnecting', 'closed'],
  connected: ['reconnecting', 'closed'],
  reconnecting: ['connected', 'closed'],
  closed: [],
};

/** Recovery timing; defaults suit real networks and are shortened in tests. */
export interface LinkTuning {
  /** ICE `disconnected` for this long triggers an ICE restart, ms. Default 1500. */
  disconnectedGraceMs: number;
  /** An ICE restart not connected after this long is tried again, ms. Default 5000. */
  restartTimeoutMs: number;
  /** ICE restarts before the connection is replaced by a new one. Default 2. */
  maxIceRestarts: number;
  /** A new connection not connected after this long is replaced, ms. Default 10_000. */
  connectTimeoutMs: number;
  /** Delays before creating a replacement connection. Default 0.5 s first, then 1 s doubling to 30 s. */
  recreateBackoff: BackoffOptions;
  /** A beat goes over the data channel this often, ms. Default 500. */
  heartbeatMs: number;
  /**
   * Nothing heard for this long after a beat: the link goes `reconnecting` and ICE restarts at
   * once, without waiting for ICE consent (5 s or more), ms. Default 1250.
   */
  silenceMs: number;
  /** Data-channel send queue bounds. */
  queue: SendQueueLimits;
}

export const DEFAULT_LINK_TUNING: LinkTuning = {
  disconnectedGraceMs: 1500,
  restartTimeoutMs: 5000,
  maxIceRestarts: 2,
  connectTimeoutMs: 10_000,
  recreateBackoff: { firstMs: 500, baseMs: 1000, maxMs: 30_000 },
  heartbeatMs: 500,
  silenceMs: 1250,
  queue: DEFAULT_SEND_QUEUE_LIMITS,
};

export interface PeerLinkOptions {
  selfId: string;
  remoteId: string;
  /** Sends a signal to the remote peer; returns false when signaling is down right now. */
  signal(data: SignalData): boolean;
  /** Create the connection now and make the first offer (the newcomer does; the other side waits for it). */
  initiate: boolean;
  /** Configuration for each new connection (read every time one is made). */
  rtcConfig?: RTCConfiguration | (() => RTCConfiguration);
  RTCPeerConnection?: typeof RTCPeerConnection;
  clock?: Clock;
  random?: () => number;
  tuning?: Partial<LinkTuning>;
  /** The sending side of media on each new connection (the media feature's; none for a data-only member). */
  tracks?: ((pc: RTCPeerConnection) => LinkTracks | null) | null;
}

/**
 * Our media on one connection, as the media feature provides it: the offering side adds its
 * transceivers, the answering side adopts those of the offer, and later track changes replace
 * tracks without renegotiating.
 */
export interface LinkTracks {
  /** The video sender (for adaptive bitrate), if this peer sends video. */
  readonly videoSender: RTCRtpSender | null;
  /** The offering side: one send-and-receive transceiver per kind we send. */
  addOwn(): void;
  /** The answering side, with the remote offer applied: send on the offer's transceivers. */
  adoptAfterOffer(): Promise<void>;
  /** Puts the current local tracks on the senders. */
  sync(): Promise<void>;
}

export interface LinkEventMap {
  'state-change': CustomEvent<StateChange<LinkState>>;
  /** A frame arrived on the data channel (parsed JSON). */
  'message': CustomEvent<unknown>;
  /** A remote media track arrived (again after each new connection). */
  'track': CustomEvent<{ track: MediaStreamTrack; streams: readonly MediaStream[] }>;
  /** The file channel (pre-negotiated `files`, id 1) opened (`open: true`) or went away. */
  'file-channel': CustomEvent<{ open: boolean }>;
  /** A frame arrived on the file channel: JSON text (control) or binary (a chunk). */
  'file-frame': CustomEvent<string | ArrayBuffer>;
  /** Something went wrong that the link handles by itself; for logs and diagnostics. */
  'warning': CustomEvent<{ what: string; error?: unknown }>;
}

export type Recovery = 'none' | 'ice-restart' | 'recreate';

