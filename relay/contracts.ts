/**
 * The contracts between the relay's parts: what a connection, a room backend and the server
 * expect of each other. Types only; this file imports no relay module that imports it back,
 * so no two relay files depend on each other, not even for types.
 */
import type { JoinFrame, PublishFrame, QualityLevel, QualityMetrics, ServerFrame, SignalFrame } from '../core/protocol.js';
import type { RelayOptions } from './relay-options.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './relay-metrics.js';
import type { IceServer } from './turn-credentials.js';

/** Time as the relay sees it: grace periods, message ages and token expiry. Injectable for tests. */
export interface RelayClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The socket side of a member, as a room backend sees it. Implemented by `Connection`. */
export interface MemberSocket {
  /**
   * Queues a frame for the client: an object, or one already serialised (a string, or its UTF-8
   * bytes when the same frame goes to many sockets). Never waits: a client that reads too slowly
   * is closed once its send buffer passes the relay's limit.
   */
  send(frame: ServerFrame | string | Buffer): void;
  close(code: number, reason: string): void;
}

/** The latest quality a member reported. */
export interface QualityReport { quality: QualityLevel; metrics: QualityMetrics; at: number }

/** A socket's place in a room, as a backend hands it back from {@link RoomBackend.join}. */
export interface Membership {
  readonly roomId: string;
  readonly peerId: string;
}

/** A room as `GET /rooms/:id/state` shows it. */
export interface RoomView {
  room: string;
  epoch: string;
  lastSeq: number;
  buffer: { messages: number; bytes: number; firstSeq: number };
  members: Array<{ id: string; name: string; online: boolean; lastN: number; disconnectedForMs: number | null; quality: QualityReport | null }>;
}

/**
 * Where rooms live: in this process (`MemoryBackend`), or in Redis shared by several relay nodes
 * (`RedisBackend`). The connection layer validates frames and calls these; the backend applies
 * them to the room and writes to member sockets. Methods reject with `RoomError` for refusals.
 */
export interface RoomBackend {
  /** Admits a socket (join or resume) and writes the welcome, the catch-up and `synced` to it. */
  join(socket: MemberSocket, frame: JoinFrame): Promise<Membership>;
  /** An explicit leave (ignored for a stale session). */
  leave(m: Membership, socket: MemberSocket, session: string): Promise<void>;
  /** The socket closed without a leave: the grace period starts. */
  socketClosed(m: Membership, socket: MemberSocket): Promise<void>;
  /** Stores, fans out and acknowledges a room message. */
  publish(m: Membership, socket: MemberSocket, f: PublishFrame): Promise<void>;
  /** Routes a signal to one member. */
  signal(m: Membership, socket: MemberSocket, f: SignalFrame): Promise<void>;
  /** A frame for every online member of a room, on every relay node, but `except` (the SFU's `published` hint). Best effort. */
  announce(roomId: string, frame: ServerFrame, except: string): Promise<void>;
  /** True while `socket` is the member's current socket. */
  isCurrent(m: Membership, socket: MemberSocket): boolean;
  view(roomId: string): Promise<RoomView | null>;
  /** True when `key` is the member's secret key (compared in constant time). */
  checkMemberKey(roomId: string, peerId: string, key: string): Promise<boolean>;
  setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void>;
  /** Figures for /metrics and /healthz (this node's view). */
  stats(): { rooms: number; members: number; bufferBytes: number };
  /** False while the backend cannot serve joins (Redis unreachable or not answering). */
  readonly healthy: boolean;
  /** Connects to its store, if it has one (called by `listen`). */
  start?(): Promise<void>;
  /** Forgets everything (relay shutdown). Sockets are closed by the server. */
  close(): Promise<void>;
}

/** What a backend gets from the server that owns it. */
export interface BackendContext {
  options: RelayOptions;
  log: Logger;
  metrics: RelayMetrics;
  clock: RelayClock;
  /** STUN/TURN servers for a member, if the relay has any. */
  iceServers(peerId: string): { iceServers: IceServer[]; ttlSeconds: number | null };
  /** A member left the room for good (leave, grace period over, replaced): what the relay keeps for it elsewhere (the SFU) goes. */
  memberGone(roomId: string, peerId: string): void;
}
