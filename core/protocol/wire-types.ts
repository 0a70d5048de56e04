/**
 * The mesh-room wire format's types, limits and codes: every frame that crosses the WebSocket
 * between a client and the relay. Reached through `protocol.ts`, the one file the relay imports.
 *
 * Frames are JSON objects with a string `type`. Untrusted input goes through `parseClientFrame`
 * (relay side) or `parseServerFrame` (client side) in `frame-validation.ts`, which return either
 * the typed frame or a `FrameProblem` naming the error code to answer with.
 *
 * @packageDocumentation
 */

/** Bumped when a frame changes incompatibly. Sent in `join`; the relay rejects other versions. */
export const PROTOCOL_VERSION = 1;

/** Limits both sides agree on. The relay may be configured lower, never higher. */
export const PROTOCOL_LIMITS = {
  /** Longest room id, characters. */
  roomIdLength: 64,
  /** Longest display name after trimming, characters. */
  nameLength: 64,
  /** Peer ids, session ids and keys: 16–64 characters of [A-Za-z0-9_-]. */
  idMinLength: 16,
  idMaxLength: 64,
  /** Longest token, characters. */
  tokenLength: 2048,
  /** Largest serialized `data` of one room message, bytes (UTF-8 of its JSON). */
  messageBytes: 32 * 1024,
  /** Largest SDP or candidate payload in one signal frame, bytes. */
  signalBytes: 48 * 1024,
  /** Largest SDP in one `sfu` frame (an offer with every candidate in it), bytes. */
  sfuSdpBytes: 32 * 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** A member of a room as the relay describes it to other members. */
export interface MemberInfo {
  /** Client-generated peer id, stable for the life of the client's `Room` object. */
  id: string;
  /** Display name, unique in the room case-insensitively. */
  name: string;
  /** Random id of the member's current join; changes when the member leaves and joins again. */
  session: string;
  /** The member's message counter when this membership began: its messages start at `baseN + 1`. */
  baseN: number;
  /** Highest message number `n` the relay has accepted from this member. */
  lastN: number;
  /** False while the member's socket is down and the relay keeps it for the grace period. */
  online: boolean;
}

/** Where a client left off in a room's message stream. */
export interface StreamPosition {
  /** Random id of the room's message stream; a new epoch means the relay lost its memory. */
  epoch: string;
  /** Highest room sequence number the client has seen. */
  lastSeq: number;
}

/** A description or ICE candidate for one peer connection, or a message-repair exchange. */
export type SignalData =
  | { kind: 'description'; gen: number; description: { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp: string } }
  | { kind: 'candidate'; gen: number; candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment?: string | null } }
  | { kind: 'repair-request'; fromN: number; toN: number }
  | { kind: 'repair-reply'; messages: Array<{ n: number; data: unknown; at: number }>; missing: Array<[number, number]> };

// ---------------------------------------------------------------------------------------------
// Client → relay

/** First frame on every socket: join a room, or resume a membership after a reconnect. */
export interface JoinFrame {
  type: 'join';
  v: number;
  room: string;
  peerId: string;
  /** Secret proving ownership of `peerId` when resuming; never shown to other members. */
  key: string;
  session: string;
  name: string;
  token?: string;
  /** Present when the client has seen this room's stream before (reconnect). */
  resume?: StreamPosition;
  /** See {@link MemberInfo.baseN}. */
  baseN: number;
  /** Highest `n` of this client that a relay has acknowledged. */
  lastN: number;
}
export interface LeaveFrame { type: 'leave'; session: string }
export interface SignalFrame { type: 'signal'; to: string; toSession: string; data: SignalData }
/**
 * A room message from its sender; `sentAt` is the sender's clock, shown to readers.
 * `dataJson` is not sent: the relay's parser fills it with `data` serialised once, so the
 * relay can measure and forward it without serialising it again.
 */
export interface PublishFrame { type: 'publish'; n: number; data: unknown; sentAt: number; dataJson?: string }
export interface PingFrame { type: 'ping'; t: number }
/**
 * Media through the relay's SFU (Janus VideoRoom), which the relay drives for the member: the
 * member never talks to the SFU's API. `publish` offers our one publication (an offer with every
 * ICE candidate in it; a second one replaces the first); `subscribe` asks for `peer`'s media;
 * `start` answers the offer of that subscription; `layer` picks which simulcast layer of it we get
 * (0 lowest, 2 highest) on the subscription's m-line `mid`; `candidate` trickles one of our ICE
 * candidates (null: gathering is complete) to the subscription (with `peer`) or the publication;
 * `stop` ends it (with `peer`) or our publication.
 */
/** An ICE candidate of a connection to the SFU. */
export interface SfuCandidate { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }

export type SfuFrame =
  | { type: 'sfu'; op: 'publish'; sdp: string }
  | { type: 'sfu'; op: 'subscribe'; peer: string }
  | { type: 'sfu'; op: 'start'; peer: string; sdp: string }
  | { type: 'sfu'; op: 'layer'; peer: string; mid: string; substream: 0 | 1 | 2 }
  | { type: 'sfu'; op: 'candidate'; peer?: string; candidate: SfuCandidate | null }
  | { type: 'sfu'; op: 'stop'; peer?: string };

export type ClientFrame = JoinFrame | LeaveFrame | SignalFrame | PublishFrame | PingFrame | SfuFrame;

// ---------------------------------------------------------------------------------------------
// Relay → client

export interface WelcomeFrame {
  type: 'welcome';
  epoch: string;
  /** Highest sequence number assigned in the room so far. */
  seq: number;
  /** True when the relay still held this member (within the grace period). */
  resumed: boolean;
  self: MemberInfo;
  /** Every other member, including those in their grace period (`online: false`). */
  members: MemberInfo[];
  /**
   * Relay settings the client adapts to (frames beyond the rate are dropped). Signals and `sfu`
   * frames have a budget of their own (`setup…`), sized for the room limit: joining a large room
   * sets up a path to every member at once.
   */
  limits: { messageBytes: number; graceMs: number; ratePerSecond: number; rateBurst: number; setupPerSecond?: number; setupBurst?: number; heartbeatMs?: number };
  /** STUN/TURN servers to use (TURN credentials fresh for this member), when the relay has any. */
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  /** Lifetime of the TURN credentials, s: refresh them (GET /turn-credentials) before half of it. */
  iceTtlSeconds?: number;
  /**
   * Present when the relay has an SFU: rooms in `auto` mode move their media to it once they have
   * more than `meshLimit` members.
   */
  sfu?: { meshLimit: number };
}
export interface PeerJoinedFrame { type: 'peer-joined'; member: MemberInfo }
export interface PeerLeftFrame { type: 'peer-left'; id: string; session: string; reason: 'leave' | 'timeout' | 'replaced' }
export interface PeerStatusFrame { type: 'peer-status'; id: string; online: boolean }
export interface SignalOutFrame { type: 'signal'; from: string; fromSession: string; toSession: string; data: SignalData }
/** A room message, live or replayed; `seq` is the relay's per-room order. */
export interface MessageFrame { type: 'message'; seq: number; from: string; name: string; n: number; data: unknown; sentAt: number; at: number }
/** The relay stored a publish: it will not be lost while the buffer reaches back to `seq`. */
export interface AckFrame { type: 'ack'; n: number; seq: number }
/**
 * Ends the catch-up after a join: everything the relay could replay has been sent.
 * `unavailable` counts sequence numbers the client asked for that the buffer no longer holds.
 */
export interface SyncedFrame {
  type: 'synced';
  replayed: number;
  unavailable: number;
  /** True when the client resumed from another epoch (the relay restarted or the room was recreated). */
  epochChanged: boolean;
  /** Milliseconds the relay saw this member without a socket, when it still held it. */
  disconnectedFor: number | null;
}
export interface ErrorFrame { type: 'error'; code: ErrorCode; message: string; ref?: string }
export interface PongFrame { type: 'pong'; t: number }
/**
 * The relay's heartbeat: sent to a member that was sent nothing else for `limits.heartbeatMs`, so
 * a client that hears nothing for a few of those knows the path is dead (half-open, black-holed)
 * without timers of its own to send pings (they are throttled in background tabs).
 */
export interface BeatFrame { type: 'beat' }
/**
 * The SFU's side of {@link SfuFrame}: the `answer` to our publication, the `offer` of a
 * subscription to `peer`, `absent` when `peer` publishes nothing (yet: ask again later),
 * `published` when `peer`'s publication (new, or replacing one) is up (subscribe now), or
 * `failed` with an error code (`sfu-unavailable` when the relay has no SFU or cannot reach it).
 */
export type SfuReplyFrame =
  | { type: 'sfu'; op: 'answer'; sdp: string }
  | { type: 'sfu'; op: 'published'; peer: string }
  | { type: 'sfu'; op: 'offer'; peer: string; sdp: string }
  | { type: 'sfu'; op: 'absent'; peer: string }
  | { type: 'sfu'; op: 'failed'; peer?: string; code: ErrorCode; message: string };

export type ServerFrame =
  | WelcomeFrame | PeerJoinedFrame | PeerLeftFrame | PeerStatusFrame | SignalOutFrame
  | MessageFrame | AckFrame | SyncedFrame | ErrorFrame | PongFrame | BeatFrame | SfuReplyFrame;

// ---------------------------------------------------------------------------------------------
// Error codes

/**
 * Codes the relay sends in `error` frames and the client uses in `MeshError`.
 * Fatal codes end the join attempt (the client stops retrying); others are per-frame.
 */
export const ERROR_CODES = {
  'bad-frame': 'The frame is not a JSON object with a string type.',
  'unknown-type': 'The frame type is not part of the protocol.',
  'invalid-field': 'A field is missing or has the wrong type or range.',
  'frame-too-large': 'The frame is larger than the relay accepts.',
  'payload-too-large': 'The message data is larger than the room allows.',
  'version-mismatch': 'The client speaks another protocol version.',
  'not-joined': 'Join a room before sending this frame.',
  'already-joined': 'This socket has already joined a room.',
  'invalid-room': 'The room id is empty, too long or has characters outside [A-Za-z0-9_.-].',
  'invalid-name': 'The name is empty, too long, or has control, invisible or filler characters.',
  'name-taken': 'Someone in the room already uses this name, or one that looks the same (names ignore case and look-alike letters).',
  'room-full': 'The room has reached its member limit.',
  'too-many-rooms': 'The relay has reached its room limit.',
  'unknown-peer': 'The addressed peer is not in the room.',
  'key-mismatch': 'The peer id belongs to another client.',
  'rate-limited': 'Too many frames; slow down.',
  'out-of-order': 'A message number was skipped; resend from the first unacknowledged one.',
  'token-invalid': 'The room token is missing, malformed or forged.',
  'token-expired': 'The room token has expired.',
  'origin-denied': 'This page origin may not use the relay.',
  'unavailable': 'The relay cannot accept joins right now; retry later.',
  'shutting-down': 'The relay is shutting down; reconnect to continue.',
  'internal': 'The relay failed to handle the frame.',
  'sfu-unavailable': 'The relay has no SFU, or cannot reach it now: media stays on the mesh or waits until the SFU is back.',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** Errors after which retrying the same join cannot succeed. */
export const FATAL_JOIN_ERRORS: readonly ErrorCode[] = [
  'version-mismatch', 'invalid-room', 'invalid-name', 'name-taken', 'room-full', 'key-mismatch',
  'token-invalid', 'token-expired', 'origin-denied',
];

/**
 * WebSocket close codes used by the relay (4000–4999 are application codes). The relay uses
 * only these; a client resumes after any of them except `replaced` and `joinRefused`.
 */
export const CLOSE_CODES = {
  /** A `leave` was handled. */
  normal: 1000,
  /** The relay shuts down (SIGTERM): resume elsewhere or when it is back. */
  goingAway: 1001,
  /** A frame beyond the hard size limit (sent by `ws` itself). */
  tooBig: 1009,
  /** The relay's room store (Redis) restarted or came back: resume now. */
  restarting: 1012,
  /** A newer socket resumed this member. */
  replaced: 4000,
  /** The join was refused; the error frame before the close says why. */
  joinRefused: 4001,
  /** No join frame arrived in time. */
  joinTimeout: 4002,
  /** The room token this socket joined with expired: resume with a fresh one. */
  tokenExpired: 4003,
  /** The client kept violating limits. */
  policy: 4008,
  /** The client reads too slowly: its send buffer passed the relay's limit. Resume to catch up. */
  tooSlow: 4009,
} as const;
