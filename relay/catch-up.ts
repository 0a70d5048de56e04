/**
 * What a joining socket receives, the same for every backend: `welcome`, then the messages it
 * missed (or the room's history), then `synced` — and the one layout of a message frame, which
 * both the in-memory room and the Redis scripts build (see `messageTail`).
 */
import type { MemberInfo, StreamPosition, SyncedFrame, WelcomeFrame } from '../core/protocol.js';
import type { BackendContext, MemberSocket } from './contracts.js';
import { setupFrameRate } from './relay-options.js';

/** The state of a room at the moment a member was admitted, taken atomically by the backend. */
export interface RoomSnapshot {
  epoch: string;
  /** Highest sequence number assigned so far. */
  seq: number;
  /** Oldest sequence number still held (seq + 1 when the buffer is empty). */
  firstSeq: number;
  resumed: boolean;
  self: MemberInfo;
  members: MemberInfo[];
  /** Message frames after the client's position (or the whole buffer), oldest first, as JSON. */
  replay: string[];
  /** How long the member was without a socket, when the relay still held it. */
  disconnectedFor: number | null;
}

/** Where the client said it left off: replay starts after `from`; 0 for a newcomer or another epoch. */
export function replayFrom(resume: StreamPosition | undefined, epoch: string, seq: number): number {
  return resume !== undefined && resume.epoch === epoch ? Math.min(resume.lastSeq, seq) : 0;
}

/**
 * Writes the whole catch-up to the socket at once. It never waits for the client: the frames
 * join the socket's send buffer (bounded, see `Connection`), so a joiner that does not read
 * delays nobody else.
 */
export function writeCatchUp(socket: MemberSocket, ctx: BackendContext, resume: StreamPosition | undefined, s: RoomSnapshot): void {
  const o = ctx.options;
  const ice = ctx.iceServers(s.self.id);
  const setup = setupFrameRate(o);
  const welcome: WelcomeFrame = {
    type: 'welcome', epoch: s.epoch, seq: s.seq, resumed: s.resumed, self: s.self, members: s.members,
    limits: { messageBytes: o.maxMessageBytes, graceMs: o.graceMs, ratePerSecond: o.ratePerSecond, rateBurst: o.rateBurst, setupPerSecond: setup.perSecond, setupBurst: setup.burst, ...(o.heartbeatMs > 0 ? { heartbeatMs: o.heartbeatMs } : {}) },
    ...(ice.iceServers.length > 0 ? { iceServers: ice.iceServers } : {}),
    ...(ice.ttlSeconds !== null ? { iceTtlSeconds: ice.ttlSeconds } : {}),
    ...(o.sfuUrl ? { sfu: { meshLimit: o.meshLimit } } : {}),
  };
  socket.send(welcome);
  for (const json of s.replay) socket.send(json);
  const from = replayFrom(resume, s.epoch, s.seq);
  const firstHeld = Math.min(s.firstSeq, s.seq + 1);
  const synced: SyncedFrame = {
    type: 'synced', replayed: s.replay.length,
    unavailable: resume ? Math.max(0, firstHeld - 1 - from) : 0,
    epochChanged: resume !== undefined && resume.epoch !== s.epoch,
    disconnectedFor: s.disconnectedFor,
  };
  socket.send(synced);
  ctx.metrics.replayed += s.replay.length;
}

/**
 * The part of a message frame that does not depend on the room's sequence or clock:
 * `,"from":…,"name":…,"n":…,"data":…,"sentAt":…,"at":`. `dataJson` is the data as the
 * relay's parser serialised it. The Redis publish script completes it the same way.
 */
export function messageTail(from: string, name: string, n: number, dataJson: string, sentAt: number): string {
  return `,"from":"${from}","name":${JSON.stringify(name)},"n":${n},"data":${dataJson},"sentAt":${sentAt},"at":`;
}

/** A complete message frame: `{"type":"message","seq":…` + tail + `at}` (serialised once, for everyone). */
export function messageJson(seq: number, tail: string, at: number): string {
  return `{"type":"message","seq":${seq}${tail}${at}}`;
}
