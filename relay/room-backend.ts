import type { JoinFrame, SignalFrame } from '../core/protocol.js';
import type { MemberSocket } from './relay-room.js';
import type { QualityReport } from './quality-route.js';

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
 * Where rooms live: in this process ({@link MemoryBackend}), or in Redis shared by several relay
 * nodes (`RedisBackend`). The connection layer validates frames and calls these; the backend
 * applies them to the room and writes to member sockets. Methods throw `RoomError` for refusals.
 */
export interface RoomBackend {
  /** Admits a socket (join or resume): writes the welcome, the catch-up and `synced` to it. */
  join(socket: MemberSocket, frame: JoinFrame): Promise<Membership>;
  /** An explicit leave (ignored for a stale session). */
  leave(m: Membership, socket: MemberSocket, session: string): Promise<void>;
  /** The socket closed without a leave: the grace period starts. */
  socketClosed(m: Membership, socket: MemberSocket): Promise<void>;
  /** Stores, fans out and acknowledges a room message. */
  publish(m: Membership, socket: MemberSocket, n: number, data: unknown, sentAt: number, dataJson?: string): Promise<void>;
  /** Routes a signal to one member. */
  signal(m: Membership, socket: MemberSocket, f: SignalFrame): Promise<void>;
  /** True while `socket` is the member's current socket. */
  isCurrent(m: Membership, socket: MemberSocket): boolean;
  view(roomId: string): Promise<RoomView | null>;
  /** The member's secret key (to authenticate its HTTP requests), or null when not a member. */
  memberKey(roomId: string, peerId: string): Promise<string | null>;
  setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void>;
  /** Figures for /metrics and /healthz (this node's view). */
  stats(): { rooms: number; members: number; bufferBytes: number };
  /** False while the backend cannot serve joins (Redis unreachable). */
  readonly healthy: boolean;
  /** Connects to its store, if it has one (called by `listen`). */
  start?(): Promise<void>;
  /** Forgets everything (relay shutdown). Sockets are closed by the server. */
  close(): Promise<void>;
}
