/**
 * Runtime validation of the wire format in `protocol.ts`: every frame from a socket passes through
 * here before anything indexes into it, and a bad frame becomes a typed problem, never a throw.
 */
import { type ClientFrame, type ErrorCode, type JoinFrame, PROTOCOL_LIMITS, PROTOCOL_VERSION, type ServerFrame, type SfuFrame, type SignalData, type StreamPosition } from './wire-types.js';
import { isCount, isObj, isStr, type Obj } from './guards.js';
import { normalizeName } from './name-rules.js';

export { normalizeName, nameKey, isWellFormed } from './name-rules.js';

/** Why a frame was rejected. */
export interface FrameProblem { problem: ErrorCode; message: string; ref?: string }

const ID_RE = /^[A-Za-z0-9_-]+$/;
const ROOM_RE = /^[A-Za-z0-9_.-]+$/;
/** Tokens are printable ASCII (a signed token is base64url.base64url). */
const TOKEN_RE = /^[\x21-\x7e]*$/;


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

function checkSfuFrame(f: Obj): SfuFrame {
  const sdp = () => {
    need(isStr(f.sdp, PROTOCOL_LIMITS.sfuSdpBytes) && (f.sdp as string).length > 0, 'sdp', `an SDP of at most ${PROTOCOL_LIMITS.sfuSdpBytes} bytes`, 'payload-too-large');
    return f.sdp as string;
  };
  const peer = () => {
    need(isValidId(f.peer), 'peer', 'a peer id');
    return f.peer as string;
  };
  switch (f.op) {
    case 'publish': return { type: 'sfu', op: 'publish', sdp: sdp() };
    case 'subscribe': return { type: 'sfu', op: 'subscribe', peer: peer() };
    case 'start': return { type: 'sfu', op: 'start', peer: peer(), sdp: sdp() };
    case 'layer':
      need(isStr(f.mid, 16) && ID_RE.test(f.mid as string), 'mid', 'an m-line id of [A-Za-z0-9_-]');
      need(f.substream === 0 || f.substream === 1 || f.substream === 2, 'substream', '0, 1 or 2');
      return { type: 'sfu', op: 'layer', peer: peer(), mid: f.mid as string, substream: f.substream as 0 };
    case 'candidate': {
      const c = f.candidate;
      need(c === null || (isObj(c) && isStr(c.candidate, 4096)), 'candidate', 'an ICE candidate or null');
      need(c === null || c.sdpMid === null || c.sdpMid === undefined || isStr(c.sdpMid, 64), 'candidate.sdpMid', 'a short string or null');
      need(c === null || c.sdpMLineIndex === null || c.sdpMLineIndex === undefined || isCount(c.sdpMLineIndex), 'candidate.sdpMLineIndex', 'an integer or null');
      const candidate = c === null ? null : { candidate: c.candidate as string, sdpMid: (c.sdpMid as string | null | undefined) ?? null, sdpMLineIndex: (c.sdpMLineIndex as number | null | undefined) ?? null };
      return f.peer === undefined ? { type: 'sfu', op: 'candidate', candidate } : { type: 'sfu', op: 'candidate', peer: peer(), candidate };
    }
    case 'stop': return f.peer === undefined ? { type: 'sfu', op: 'stop' } : { type: 'sfu', op: 'stop', peer: peer() };
    default: throw new Invalid('invalid-field', 'op: expected publish|subscribe|start|layer|candidate|stop');
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
      need(f.token === undefined || (isStr(f.token, PROTOCOL_LIMITS.tokenLength) && TOKEN_RE.test(f.token)), 'token', 'a string of printable ASCII');
      need(isCount(f.baseN), 'baseN', 'a non-negative integer');
      need(isCount(f.lastN) && (f.lastN as number) >= (f.baseN as number), 'lastN', 'an integer >= baseN');
      let resume: StreamPosition | undefined;
      if (f.resume !== undefined) {
        const r = f.resume;
        need(isObj(r) && isStr(r.epoch, 64) && ID_RE.test(r.epoch) && isCount(r.lastSeq), 'resume', '{epoch: 1–64 characters of [A-Za-z0-9_-], lastSeq}');
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
    case 'sfu':
      return checkSfuFrame(f);
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
export function frameRef(f: { type: string; n?: unknown; op?: unknown }): string {
  const type = f.type.slice(0, 32);
  if (type === 'publish' && isCount(f.n)) return `publish:${f.n}`;
  return type === 'sfu' && typeof f.op === 'string' ? `sfu:${f.op.slice(0, 16)}` : type;
}

const SERVER_TYPES = new Set(['welcome', 'peer-joined', 'peer-left', 'peer-status', 'signal', 'message', 'ack', 'synced', 'error', 'pong', 'beat', 'sfu']);

const isText = (v: unknown): v is string => typeof v === 'string';
const isNullOr = (v: unknown, ok: (v: unknown) => boolean) => v === null || v === undefined || ok(v);

/**
 * Signal data as the client reads it: every field it uses has the type it expects. The relay
 * validated the data in full (`checkSignalData`: limits too, and a message per field for the
 * peer that sent it) and forwards only the fields it checked, so this second look needs no
 * messages: it keeps a relay that breaks the protocol away from the link and the delivery.
 */
function isSignalData(d: unknown): d is SignalData {
  if (!isObj(d)) return false;
  switch (d.kind) {
    case 'description': {
      const desc = d.description;
      return isCount(d.gen) && isObj(desc) && ['offer', 'answer', 'pranswer', 'rollback'].includes(desc.type as string) && isText(desc.sdp);
    }
    case 'candidate': {
      const c = d.candidate;
      return isCount(d.gen) && isObj(c) && isText(c.candidate) && isNullOr(c.sdpMid, isText) && isNullOr(c.sdpMLineIndex, isCount) && isNullOr(c.usernameFragment, isText);
    }
    case 'repair-request':
      return isCount(d.fromN) && isCount(d.toN) && d.fromN >= 1 && d.toN >= d.fromN;
    case 'repair-reply':
      return Array.isArray(d.messages) && d.messages.every((m) => isObj(m) && isCount(m.n) && isCount(m.at) && m.data !== undefined) &&
        Array.isArray(d.missing) && d.missing.every((r) => Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]));
    default:
      return false;
  }
}

/**
 * Parses a frame from the relay. The relay is trusted to follow the protocol, so this checks the
 * envelope and the fields the client indexes by, and leaves the rest to TypeScript. Signal data,
 * which comes from another peer through the relay, is checked field by field ({@link isSignalData}).
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
  if (value.type === 'signal' && !isSignalData(value.data)) return { problem: 'invalid-field', message: 'relay sent malformed signal data' };
  return value as unknown as ServerFrame;
}

/** Type guard separating a parse problem from a frame. */
export function isProblem(v: ClientFrame | ServerFrame | FrameProblem): v is FrameProblem {
  return 'problem' in v;
}
