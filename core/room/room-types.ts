import type { Clock } from '../base/clock.js';
import type { MeshError } from '../base/errors.js';
import type { HealthMetrics } from '../link/health-stats.js';
import type { LostReport, MessageTuning, ReconnectReport, RoomMessage } from '../delivery/message-exchange.js';
import type { LinkState, LinkTuning } from '../link/peer-link.js';
import type { QualityLevel } from '../protocol/quality.js';
import type { SignalingClientOptions, SignalingState, SignalingTuning, StateChange, WebSocketConstructor } from '../signaling/signaling-types.js';
import type { TransitionTable } from '../base/state-machine.js';
import type { FileOptions, FileTransfer, MediaOptions, MediaState, RecordingChange, StreamStall } from './feature-types.js';

/** What the user sees: `idle` → `connecting` → `connected` ⇄ `reconnecting`, `failed`, `closed`. */
export type RoomState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export const ROOM_TRANSITIONS: TransitionTable<RoomState> = {
  idle: ['connecting', 'closed'],
  connecting: ['connected', 'reconnecting', 'failed', 'idle', 'closed'],
  connected: ['reconnecting', 'failed', 'idle', 'closed'],
  reconnecting: ['connected', 'failed', 'idle', 'closed'],
  failed: ['connecting', 'idle', 'closed'],
  closed: [],
};

/** The room state a relay connection and its links add up to (null: no change, the room is closed). */
export function roomStateFor(relay: SignalingState, linksHealing: boolean): RoomState | null {
  switch (relay) {
    case 'failed': return 'failed';
    case 'idle':
    case 'connecting': return 'connecting';
    case 'reconnecting': return 'reconnecting';
    case 'connected': return linksHealing ? 'reconnecting' : 'connected';
    default: return null;
  }
}

/** Connection quality of a peer, from the health monitor. */
export type Quality = QualityLevel;

/** Another member of the room, as the application sees it. */
export interface PeerInfo {
  id: string;
  name: string;
  /** The peer-to-peer link: `connecting`, `connected`, `reconnecting`. */
  state: LinkState;
  /** False while the peer's relay connection is down (its grace period). */
  online: boolean;
  /** `good` | `fair` | `poor` from the health monitor (null until measured). */
  quality: Quality | null;
  /** RTT, loss, jitter, bitrate and frame rates of the link, and which incoming media stalled (null until measured). */
  metrics: HealthMetrics | null;
  /** What the peer says it sends (null until it said so). */
  media: MediaState | null;
  /** The peer's audio/video (null until a track arrived). */
  stream: MediaStream | null;
  /** How the peer's media reaches us: over our link to it (`mesh`) or through the relay's SFU (`sfu`). */
  transport: 'mesh' | 'sfu';
  /** The peer is recording the room. */
  recording: boolean;
  /** The peer's audio or video stopped moving and how its repair stands (null while it moves). */
  stall: StreamStall | null;
}

export interface RoomOptions extends MediaOptions {
  /** Relay WebSocket URL, or several to try in turn. */
  relay: string | string[];
  /** Room id: 1–64 characters of [A-Za-z0-9_.-]. */
  room: string;
  /** Display name, unique in the room (case-insensitively). */
  name: string;
  /** Signed room token, when the relay requires one. */
  token?: string;
  /** ICE servers and policy for peer connections. Default: no STUN/TURN (host candidates only). */
  rtcConfig?: RTCConfiguration;
  /** Refuse to join a room that already has this many members. Default 8. */
  maxPeers?: number;
  /**
   * Where media goes: `mesh` (peer to peer), `sfu` (through the relay's SFU, which the relay must
   * have: `--sfu-url`), or `auto` (the default: a mesh until the room has more members than the
   * relay's mesh limit, then the SFU until it is left). Room messages and files go the same way in
   * every mode.
   */
  mode?: 'auto' | 'mesh' | 'sfu';
  /**
   * In `auto` mode, move to the SFU past this many members even if the relay's mesh limit is
   * higher (the lower of the two counts; the others follow the first member that moves). Default:
   * the relay's (`--mesh-limit`, 6).
   */
  meshLimit?: number;
  /**
   * Reconnect tuning, and `reachable`: how a reconnect asks the relay over HTTP before it opens a
   * WebSocket (default in a page: a GET of its `/healthz`; null: never ask).
   */
  signaling?: Partial<SignalingTuning> & Pick<SignalingClientOptions, 'reachable'>;
  link?: Partial<LinkTuning>;
  messages?: Partial<MessageTuning>;
  /** File transfer limits: `maxFileBytes` (2 GiB), `autoAcceptBytes` (1 MiB), `chunkBytes` (128 KiB). */
  files?: FileOptions;
  // Injection seams (tests; defaults are the browser's).
  clock?: Clock;
  random?: () => number;
  WebSocket?: WebSocketConstructor;
  RTCPeerConnection?: typeof RTCPeerConnection;
  networkEvents?: EventTarget | null;
  visibility?: { target: EventTarget; visible(): boolean } | null;
  /** Source of `pagehide`/`pageshow` (default: `window` when present). */
  pageLifecycle?: EventTarget | null;
  /** Sends quality reports (default: `fetch`). */
  fetch?: typeof fetch;
}

export interface RoomEventMap {
  /** The room's state changed. */
  'state-change': CustomEvent<StateChange<RoomState>>;
  /** A peer joined (or was found on joining). */
  'peer-join': CustomEvent<PeerInfo>;
  /** A peer left: `leave` (it said so), `timeout` (gone longer than the grace period) or `replaced`. */
  'peer-leave': CustomEvent<{ peer: PeerInfo; reason: string }>;
  /** A peer's link state, presence, media, stream or quality changed. */
  'peer-update': CustomEvent<PeerInfo>;
  /** Our own media changed (mute, camera, screen share). */
  'local-media': CustomEvent<MediaState>;
  /** A room message, delivered exactly once (own messages included, with `self: true`). */
  'message': CustomEvent<RoomMessage>;
  /** The relay stored one of our messages. */
  'acked': CustomEvent<{ id: string; n: number }>;
  /** The relay connection came back and catch-up finished. */
  'reconnected': CustomEvent<ReconnectReport>;
  /** Messages known to exist could not be recovered. */
  'messages-lost': CustomEvent<LostReport>;
  /** The relay became unreachable (peers still talk directly) or reachable again. */
  'relay-status': CustomEvent<{ reachable: boolean }>;
  /** Someone offers us a file; `acceptFile(id)` or `rejectFile(id)` (small files are already accepted). */
  'file-offer': CustomEvent<FileTransfer>;
  /** A file transfer (either direction) changed state or made progress. */
  'file-update': CustomEvent<FileTransfer>;
  /** A file arrived and its SHA-256 digest matched the sender's. */
  'file-received': CustomEvent<{ transfer: FileTransfer; blob: Blob }>;
  /** We started recording, or stopped (then with the file: WebM, or MP4 in Safari). Peers see `recording` in `peer-update`. */
  'recording': CustomEvent<RecordingChange>;
  /** A step in repairing a peer's stalled media (a transition of its repair state, for logs). */
  'media-repair': CustomEvent<StateChange<string> & { peer: string; at: number }>;
  /** Something the application should know about (the room keeps working unless `failed`). */
  'error': CustomEvent<MeshError>;
}
