/**
 * The mesh-room wire format: every frame that crosses the WebSocket between a client and the
 * relay. This is the one file shared by `core/` and `relay/`; it has no imports and no side
 * effects, so both a browser bundle and Node can load it.
 *
 * Frames are JSON objects with a string `type`. Untrusted input goes through
 * {@link parseClientFrame} (relay side) or {@link parseServerFrame} (client side), which return
 * either the typed frame or a {@link FrameProblem} naming the error code to answer with.
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

export type ClientFrame = JoinFrame | LeaveFrame | SignalFrame | PublishFrame | PingFrame;

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
  /** Relay settings the client adapts to (frames beyond the rate are dropped). */
  limits: { messageBytes: number; graceMs: number; ratePerSecond: number; rateBurst: number };
  /** STUN/TURN servers to use (TURN credentials fresh for this member), when the relay has any. */
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  /** Lifetime of the TURN credentials, s: refresh them (GET /turn-credentials) before half of it. */
  iceTtlSeconds?: number;
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

export type ServerFrame =
  | WelcomeFrame | PeerJoinedFrame | PeerLeftFrame | PeerStatusFrame | SignalOutFrame
  | MessageFrame | AckFrame | SyncedFrame | ErrorFrame | PongFrame;

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
  'invalid-name': 'The name is empty, too long or has control characters.',
  'name-taken': 'Someone in the room already uses this name (names ignore case).',
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
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** Errors after which retrying the same join cannot succeed. */
export const FATAL_JOIN_ERRORS: readonly ErrorCode[] = [
  'version-mismatch', 'invalid-room', 'invalid-name', 'name-taken', 'room-full', 'key-mismatch',
  'token-invalid', 'token-expired', 'origin-denied',
];

/** WebSocket close codes used by the relay (4000–4999 are application codes). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  restarting: 1012,
  /** A newer socket resumed this member. */
  replaced: 4000,
  /** The join was refused; the error frame before the close says why. */
  joinRefused: 4001,
  /** The client kept violating limits. */
  policy: 4008,
  /** No join frame arrived in time. */
  joinTimeout: 4002,
} as const;

// ---------------------------------------------------------------------------------------------
// Validation

/** Why a frame was rejected. */
export interface FrameProblem { problem: ErrorCode; message: string; ref?: string }

const ID_RE = /^[A-Za-z0-9_-]+$/;
const ROOM_RE = /^[A-Za-z0-9_.-]+$/;
// C0/C1 controls, bidi overrides and isolates, line/paragraph separators, BOM.
const NAME_FORBIDDEN_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

class Invalid extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); }
}
function need(ok: boolean, field: string, what: string, code: ErrorCode = 'invalid-field'): asserts ok {
  if (!ok) throw new Invalid(code, `${field}: expected ${what}`);
}

/** True for a peer id, session id or key: 16–64 characters of [A-Za-z0-9_-]. */
export function isValidId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= PROTOCOL_LIMITS.idMinLength &&
    v.length <= PROTOCOL_LIMITS.idMaxLength && ID_RE.test(v);
}

/** True for a room id: 1–64 characters of [A-Za-z0-9_.-]. */
export function isValidRoomId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= PROTOCOL_LIMITS.roomIdLength && ROOM_RE.test(v);
}

/**
 * Normalises a display name: Unicode NFC, surrounding whitespace trimmed, inner runs of
 * whitespace collapsed. Returns null when the result is empty, too long or contains control or
 * bidi-override characters.
 */
export function normalizeName(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > PROTOCOL_LIMITS.nameLength * 4) return null;
  const name = v.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0 || [...name].length > PROTOCOL_LIMITS.nameLength) return null;
  if (NAME_FORBIDDEN_RE.test(name)) return null;
  return name;
}

/** The key names are compared by: "Ada", "ada" and "ＡＤＡ" (full-width) are the same name. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('und');
}

/** UTF-8 byte length of a string without allocating (works in Node and browsers). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

/** Serialized size of message data, or -1 when it cannot be serialized as JSON. */
export function dataBytes(data: unknown): number {
  if (data === undefined) return -1;
  try {
    const json = JSON.stringify(data);
    return json === undefined ? -1 : utf8Length(json);
  } catch {
    return -1;
  }
}

function checkSignalData(d: unknown): SignalData {
  need(isObj(d), 'data', 'an object');
  switch (d.kind) {
    case 'description': {
      need(isCount(d.gen), 'data.gen', 'a non-negative integer');
      const desc = d.description;
      need(isObj(desc), 'data.description', 'an object');
      need(['offer', 'answer', 'pranswer', 'rollback'].includes(desc.type as string), 'data.description.type', 'offer|answer|pranswer|rollback');
      need(isStr(desc.sdp, PROTOCOL_LIMITS.signalBytes), 'data.description.sdp', 'a string of at most 48 KiB', 'payload-too-large');
      return { kind: 'description', gen: d.gen, description: { type: desc.type as 'offer', sdp: desc.sdp } };
    }
    case 'candidate': {
      need(isCount(d.gen), 'data.gen', 'a non-negative integer');
      const c = d.candidate;
      need(isObj(c), 'data.candidate', 'an object');
      need(isStr(c.candidate, 4096), 'data.candidate.candidate', 'a string');
      need(c.sdpMid === null || c.sdpMid === undefined || isStr(c.sdpMid, 64), 'data.candidate.sdpMid', 'a short string or null');
      need(c.sdpMLineIndex === null || c.sdpMLineIndex === undefined || isCount(c.sdpMLineIndex), 'data.candidate.sdpMLineIndex', 'an integer or null');
      need(c.usernameFragment === null || c.usernameFragment === undefined || isStr(c.usernameFragment, 256), 'data.candidate.usernameFragment', 'a string or null');
      return {
        kind: 'candidate', gen: d.gen,
        candidate: {
          candidate: c.candidate, sdpMid: (c.sdpMid as string | null | undefined) ?? null,
          sdpMLineIndex: (c.sdpMLineIndex as number | null | undefined) ?? null,
          usernameFragment: (c.usernameFragment as string | null | undefined) ?? null,
        },
      };
    }
    case 'repair-request':
      need(isCount(d.fromN) && (d.fromN as number) >= 1, 'data.fromN', 'a positive integer');
      need(isCount(d.toN) && (d.toN as number) >= (d.fromN as number), 'data.toN', 'an integer >= fromN');
      return { kind: 'repair-request', fromN: d.fromN as number, toN: d.toN as number };
    case 'repair-reply': {
      need(Array.isArray(d.messages) && d.messages.length <= 1000, 'data.messages', 'an array of at most 1000');
      need(Array.isArray(d.missing) && d.missing.length <= 1000, 'data.missing', 'an array of at most 1000');
      const messages = (d.messages as unknown[]).map((m, i) => {
        need(isObj(m) && isCount(m.n) && isCount(m.at) && m.data !== undefined, `data.messages[${i}]`, '{n, data, at}');
        return { n: m.n as number, data: m.data, at: m.at as number };
      });
      const missing = (d.missing as unknown[]).map((r, i) => {
        need(Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]), `data.missing[${i}]`, '[fromN, toN]');
        return [r[0], r[1]] as [number, number];
      });
      return { kind: 'repair-reply', messages, missing };
    }
    default:
      throw new Invalid('invalid-field', 'data.kind: expected description|candidate|repair-request|repair-reply');
  }
}

function checkClientFrame(f: Obj): ClientFrame {
  switch (f.type) {
    case 'join': {
      need(isCount(f.v), 'v', 'the protocol version');
      if (f.v !== PROTOCOL_VERSION) throw new Invalid('version-mismatch', `relay speaks protocol ${PROTOCOL_VERSION}, client sent ${String(f.v)}`);
      need(isValidRoomId(f.room), 'room', '1–64 characters of [A-Za-z0-9_.-]', 'invalid-room');
      need(isValidId(f.peerId), 'peerId', '16–64 characters of [A-Za-z0-9_-]');
      need(isValidId(f.key), 'key', '16–64 characters of [A-Za-z0-9_-]');
      need(isValidId(f.session), 'session', '16–64 characters of [A-Za-z0-9_-]');
      const name = normalizeName(f.name);
      need(name !== null, 'name', '1–64 printable characters', 'invalid-name');
      need(f.token === undefined || isStr(f.token, PROTOCOL_LIMITS.tokenLength), 'token', 'a string');
      need(isCount(f.baseN), 'baseN', 'a non-negative integer');
      need(isCount(f.lastN) && (f.lastN as number) >= (f.baseN as number), 'lastN', 'an integer >= baseN');
      let resume: StreamPosition | undefined;
      if (f.resume !== undefined) {
        const r = f.resume;
        need(isObj(r) && isStr(r.epoch, 64) && isCount(r.lastSeq), 'resume', '{epoch, lastSeq}');
        resume = { epoch: r.epoch as string, lastSeq: r.lastSeq as number };
      }
      const frame: JoinFrame = {
        type: 'join', v: f.v, room: f.room, peerId: f.peerId, key: f.key, session: f.session, name,
        baseN: f.baseN as number, lastN: f.lastN as number,
      };
      if (f.token !== undefined) frame.token = f.token as string;
      if (resume) frame.resume = resume;
      return frame;
    }
    case 'leave':
      need(isValidId(f.session), 'session', 'a session id');
      return { type: 'leave', session: f.session };
    case 'signal':
      need(isValidId(f.to), 'to', 'a peer id');
      need(isValidId(f.toSession), 'toSession', 'a session id');
      return { type: 'signal', to: f.to, toSession: f.toSession, data: checkSignalData(f.data) };
    case 'publish': {
      need(isCount(f.n) && (f.n as number) >= 1, 'n', 'a positive integer');
      const dataJson = f.data === undefined ? undefined : JSON.stringify(f.data);
      need(dataJson !== undefined, 'data', 'a JSON value');
      need(utf8Length(dataJson!) <= PROTOCOL_LIMITS.messageBytes, 'data', `at most ${PROTOCOL_LIMITS.messageBytes} bytes`, 'payload-too-large');
      need(isCount(f.sentAt), 'sentAt', 'a timestamp in ms');
      return { type: 'publish', n: f.n as number, data: f.data, sentAt: f.sentAt as number, dataJson };
    }
    case 'ping':
      need(typeof f.t === 'number' && Number.isFinite(f.t), 't', 'a number');
      return { type: 'ping', t: f.t as number };
    default:
      throw new Invalid('unknown-type', `unknown frame type ${JSON.stringify(String(f.type)).slice(0, 40)}`);
  }
}

/**
 * Parses and validates one frame from a client. Never throws: returns the typed frame, or the
 * problem to report in an `error` frame.
 */
export function parseClientFrame(raw: string): ClientFrame | FrameProblem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { problem: 'bad-frame', message: 'frame is not valid JSON' };
  }
  if (!isObj(value) || typeof value.type !== 'string') {
    return { problem: 'bad-frame', message: 'frame must be a JSON object with a string "type"' };
  }
  const envelope = value as Obj & { type: string };
  try {
    return checkClientFrame(envelope);
  } catch (err) {
    if (err instanceof Invalid) return { problem: err.code, message: `${value.type}: ${err.message}`, ref: frameRef(envelope) };
    return { problem: 'invalid-field', message: String(err), ref: frameRef(envelope) };
  }
}

/**
 * How an error frame names the frame it answers: the type, plus `:n` for a publish so the sender
 * knows which message was refused.
 */
export function frameRef(f: { type: string; n?: unknown }): string {
  const type = f.type.slice(0, 32);
  return type === 'publish' && isCount(f.n) ? `publish:${f.n}` : type;
}

const SERVER_TYPES = new Set(['welcome', 'peer-joined', 'peer-left', 'peer-status', 'signal', 'message', 'ack', 'synced', 'error', 'pong']);

/**
 * Parses a frame from the relay. The relay is trusted to follow the protocol, so this checks the
 * envelope and the fields the client indexes by, and leaves the rest to TypeScript. Signal data
 * comes from another peer through the relay and is validated fully.
 */
export function parseServerFrame(raw: string): ServerFrame | FrameProblem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { problem: 'bad-frame', message: 'relay sent invalid JSON' };
  }
  if (!isObj(value) || typeof value.type !== 'string' || !SERVER_TYPES.has(value.type)) {
    return { problem: 'unknown-type', message: 'relay sent an unknown frame' };
  }
  if (value.type === 'signal') {
    try {
      value.data = checkSignalData(value.data);
    } catch (err) {
      return { problem: 'invalid-field', message: String((err as Error).message) };
    }
  }
  return value as unknown as ServerFrame;
}

/** Type guard separating a parse problem from a frame. */
export function isProblem(v: ClientFrame | ServerFrame | FrameProblem): v is FrameProblem {
  return 'problem' in v;
}

// ---------------------------------------------------------------------------------------------
// Connection quality (shared by the relay's quality endpoint and the client's health monitor)

/** Link measurements, as reported by a member or computed from `getStats()`. */
export interface QualityMetrics {
  /** Round-trip time, ms. */
  rttMs: number | null;
  /** Packets lost, percent of packets expected. */
  lossPercent: number | null;
  /** Jitter, ms. */
  jitterMs: number | null;
  /** Available or achieved bitrate, kbit/s. */
  bitrateKbps: number | null;
}

export type QualityLevel = 'good' | 'fair' | 'poor';

/**
 * Thresholds (from the seeds' classification): a link is `good` when every known figure is at
 * or below the `good` column, `fair` when within the `fair` column, else `poor`.
 */
export const QUALITY_THRESHOLDS = {
  good: { rttMs: 150, lossPercent: 1, jitterMs: 30 },
  fair: { rttMs: 300, lossPercent: 5, jitterMs: 60 },
} as const;

/** Classifies measurements without hysteresis (the health monitor adds that). Unknown figures are ignored. */
export function classifyQuality(m: QualityMetrics): QualityLevel {
  const within = (t: { rttMs: number; lossPercent: number; jitterMs: number }) =>
    (m.rttMs === null || m.rttMs <= t.rttMs) && (m.lossPercent === null || m.lossPercent <= t.lossPercent) && (m.jitterMs === null || m.jitterMs <= t.jitterMs);
  if (within(QUALITY_THRESHOLDS.good)) return 'good';
  if (within(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'poor';
}

/** What to tell a member whose link is at `level`. */
export function qualityRecommendations(level: QualityLevel): string[] {
  switch (level) {
    case 'good':
      return ['Connection is good.'];
    case 'fair':
      return ['Connection is stable but could be better.', 'Consider reducing video quality if experiencing lag.'];
    case 'poor':
      return ['Connection is poor.', 'Switch to audio only or turn the camera off.', 'Use a wired connection or move closer to the Wi-Fi router.'];
  }
}
