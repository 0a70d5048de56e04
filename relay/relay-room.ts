import { randomBytes } from 'node:crypto';
import { type ErrorCode, type JoinFrame, type MemberInfo, type ServerFrame, type SignalFrame, nameKey, utf8Length } from '../core/protocol.js';
import type { MessageStore, StoredMessage } from './message-store.js';
import type { RelayOptions } from './relay-options.js';
import type { Logger } from './logger.js';
import type { RelayMetrics } from './relay-metrics.js';
import type { QualityReport } from './quality-route.js';
import type { IceServer } from './turn-credentials.js';

/** The socket side of a member, as the room sees it. Implemented by `Connection`. */
export interface MemberSocket {
  /** Sends now, or queues while a replay to this socket is in progress (a frame, or one already serialised). */
  send(frame: ServerFrame | string): void;
  /** Sends bypassing the replay queue; resolves when the data has been written. */
  sendNow(frame: ServerFrame | string): Promise<void>;
  /** Holds live frames back while a replay is written. */
  pause(): void;
  /** Writes held frames and resumes live sending. */
  resume(): void;
  close(code: number, reason: string): void;
}

/** A member as the relay keeps it: alive with a socket, or in its grace period without one. */
export interface RelayMember {
  id: string;
  key: string;
  name: string;
  nameKey: string;
  session: string;
  baseN: number;
  lastN: number;
  socket: MemberSocket | null;
  /** When the socket dropped (grace period), else null. */
  disconnectedAt: number | null;
  graceTimer: ReturnType<typeof setTimeout> | null;
  /** The latest quality report of this member, if any. */
  quality: QualityReport | null;
}

export interface RoomContext {
  options: RelayOptions;
  /** STUN/TURN servers for a member, if the relay has any. */
  iceServers(peerId: string): { iceServers: IceServer[]; ttlSeconds: number | null };
  store: MessageStore;
  log: Logger;
  metrics: RelayMetrics;
  /** Called once the room has no members left; the registry forgets it. */
  onEmpty(room: RelayRoom): void;
}

/** Thrown by room operations; the connection turns it into an `error` frame. */
export class RoomError extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); }
}

export type JoinOutcome = { member: RelayMember; resumed: boolean };

/**
 * One room on this relay: its members, its message sequence and its epoch. Every operation that
 * changes state runs through {@link run}, one at a time, so members see the same order and an
 * async message store cannot reorder messages.
 */
export class RelayRoom {
  /** Random id of this room's message stream; changes when the room is created again. */
  readonly epoch = randomBytes(9).toString('base64url');
  readonly members = new Map<string, RelayMember>();
  readonly createdAt = Date.now();
  /** Last sequence number assigned. */
  seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly id: string, private readonly ctx: RoomContext) {}

  /** Runs `fn` after every earlier operation on this room has finished. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.chain.then(() => fn());
    this.chain = next.catch(() => undefined);
    return next;
  }

  get isEmpty(): boolean { return this.members.size === 0; }

  info(m: RelayMember): MemberInfo {
    return { id: m.id, name: m.name, session: m.session, baseN: m.baseN, lastN: m.lastN, online: m.socket !== null };
  }

  /**
   * Admits a socket: a resume of a held member (same peer id and key), a re-join under a new
   * session, or a new member. Sends the welcome and the catch-up replay, then `synced`.
   */
  async join(socket: MemberSocket, f: JoinFrame): Promise<JoinOutcome> {
    const { options, metrics } = this.ctx;
    const now = Date.now();
    const key = nameKey(f.name);
    let member = this.members.get(f.peerId);
    let resumed = false;
    let disconnectedFor: number | null = null;

    if (member && member.key !== f.key) throw new RoomError('key-mismatch', 'this peer id is in use by another client');

    // Name: unique case-insensitively. A holder without a socket (in its grace period) gives the
    // name up to a new client: it is most likely the same person after a reload.
    for (const other of this.members.values()) {
      if (other.id === f.peerId || other.nameKey !== key) continue;
      if (other.socket) throw new RoomError('name-taken', `the name "${f.name}" is taken in this room`);
      this.remove(other, 'replaced');
    }

    if (member) {
      if (member.disconnectedAt !== null) disconnectedFor = now - member.disconnectedAt;
      if (member.graceTimer) clearTimeout(member.graceTimer);
      member.graceTimer = null;
      member.disconnectedAt = null;
      const previous = member.socket;
      member.socket = null;
      previous?.close(4000, 'replaced by a newer connection');
      const rejoin = member.session !== f.session;
      Object.assign(member, { name: f.name, nameKey: key, session: f.session, baseN: rejoin ? f.baseN : member.baseN, lastN: Math.max(member.lastN, f.lastN), socket });
      resumed = !rejoin;
      if (rejoin) this.broadcast({ type: 'peer-joined', member: this.info(member) }, member.id);
      else this.broadcast({ type: 'peer-status', id: member.id, online: true }, member.id);
      metrics.resumes++;
    } else {
      if (this.members.size >= options.maxMembers) throw new RoomError('room-full', `the room is full (${options.maxMembers} members)`);
      member = {
        id: f.peerId, key: f.key, name: f.name, nameKey: key, session: f.session, baseN: f.baseN,
        lastN: f.lastN, socket, disconnectedAt: null, graceTimer: null, quality: null,
      };
      this.members.set(member.id, member);
      this.broadcast({ type: 'peer-joined', member: this.info(member) }, member.id);
    }

    // Catch-up: what the client asked for, or the whole buffer as history for a new member.
    const sameEpoch = f.resume?.epoch === this.epoch;
    const from = sameEpoch ? Math.min(f.resume!.lastSeq, this.seq) : 0;
    const slice = await this.ctx.store.since(this.id, from, now);
    const firstHeld = Math.min(slice.firstSeq, this.seq + 1);
    const unavailable = f.resume ? Math.max(0, firstHeld - 1 - from) : 0;

    socket.pause();
    const ice = this.ctx.iceServers(member.id);
    await socket.sendNow({
      type: 'welcome', epoch: this.epoch, seq: this.seq, resumed, self: this.info(member),
      members: [...this.members.values()].filter((m) => m !== member).map((m) => this.info(m)),
      limits: { messageBytes: options.maxMessageBytes, graceMs: options.graceMs, ratePerSecond: options.ratePerSecond, rateBurst: options.rateBurst },
      ...(ice.iceServers.length > 0 ? { iceServers: ice.iceServers } : {}),
      ...(ice.ttlSeconds !== null ? { iceTtlSeconds: ice.ttlSeconds } : {}),
    });
    // Paced: one batch at a time, waiting for the socket to take each, so a long replay neither
    // buffers without bound nor starves other rooms.
    for (let i = 0; i < slice.messages.length; i += options.replayBatch) {
      if (member.socket !== socket) return { member, resumed };
      const batch = slice.messages.slice(i, i + options.replayBatch);
      await Promise.all(batch.map((m) => socket.sendNow(m.json)));
    }
    metrics.replayed += slice.messages.length;
    await socket.sendNow({
      type: 'synced', replayed: slice.messages.length, unavailable,
      epochChanged: f.resume !== undefined && !sameEpoch, disconnectedFor,
    });
    socket.resume();
    return { member, resumed };
  }

  /** An explicit leave: the member is gone at once. Ignored for a stale session. */
  leave(member: RelayMember, session: string): boolean {
    if (this.members.get(member.id) !== member || member.session !== session) return false;
    this.remove(member, 'leave');
    return true;
  }

  /** The member's socket closed without a leave: keep it for the grace period. */
  socketClosed(member: RelayMember, socket: MemberSocket): void {
    if (this.members.get(member.id) !== member || member.socket !== socket) return;
    member.socket = null;
    member.disconnectedAt = Date.now();
    this.broadcast({ type: 'peer-status', id: member.id, online: false }, member.id);
    member.graceTimer = setTimeout(() => {
      member.graceTimer = null;
      void this.run(() => {
        if (this.members.get(member.id) === member && member.socket === null) this.remove(member, 'timeout');
      });
    }, this.ctx.options.graceMs);
  }

  /** Stores and fans out a room message, then acknowledges it to the sender. */
  async publish(member: RelayMember, n: number, data: unknown, sentAt: number, dataJson = JSON.stringify(data)): Promise<void> {
    const { options, store, metrics } = this.ctx;
    const bytes = utf8Length(dataJson);
    if (this.members.get(member.id) !== member) return;
    if (n > member.lastN + 1) throw new RoomError('out-of-order', `expected message ${member.lastN + 1}, got ${n}`);
    if (bytes > options.maxMessageBytes) {
      // Refused for good: its number is used up, so the sender's later messages still fit.
      if (n === member.lastN + 1) member.lastN = n;
      throw new RoomError('payload-too-large', `message data is ${bytes} bytes; this room allows ${options.maxMessageBytes}`);
    }
    if (n <= member.lastN) {
      // A resend after a reconnect of something already stored: acknowledge, do not repeat.
      const stored = await store.find(this.id, member.id, n);
      member.socket?.send({ type: 'ack', n, seq: stored?.seq ?? 0 });
      metrics.duplicatePublishes++;
      return;
    }
    const now = Date.now();
    member.lastN = n;
    const seq = ++this.seq;
    // Serialised once, for every member and for replays.
    const json = `{"type":"message","seq":${seq},"from":"${member.id}","name":${JSON.stringify(member.name)},"n":${n},"data":${dataJson},"sentAt":${sentAt},"at":${now}}`;
    const message: StoredMessage = { seq, from: member.id, name: member.name, n, data, sentAt, at: now, bytes, json };
    await store.append(this.id, message, now);
    metrics.messagesIn++;
    const frame = json;
    for (const other of this.members.values()) {
      if (other !== member && other.socket) {
        other.socket.send(frame);
        metrics.messagesOut++;
      }
    }
    member.socket?.send({ type: 'ack', n, seq: message.seq });
  }

  /** Forwards a signal to one member. Signals to an old session of that member are dropped. */
  signal(member: RelayMember, f: SignalFrame): void {
    const target = this.members.get(f.to);
    if (!target || target === member) throw new RoomError('unknown-peer', 'the addressed peer is not in this room');
    if (target.session !== f.toSession || !target.socket) return;
    target.socket.send({ type: 'signal', from: member.id, fromSession: member.session, toSession: f.toSession, data: f.data });
    this.ctx.metrics.signals++;
  }

  /** Ends every membership (relay shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.members.values()) if (m.graceTimer) clearTimeout(m.graceTimer);
    this.members.clear();
  }

  private remove(member: RelayMember, reason: 'leave' | 'timeout' | 'replaced'): void {
    if (member.graceTimer) clearTimeout(member.graceTimer);
    member.graceTimer = null;
    this.members.delete(member.id);
    const socket = member.socket;
    member.socket = null;
    if (reason === 'replaced') socket?.close(4000, 'replaced');
    this.broadcast({ type: 'peer-left', id: member.id, session: member.session, reason });
    this.ctx.log.debug('member left', { room: this.id, peer: member.id, reason });
    if (this.members.size === 0) {
      void this.ctx.store.dropRoom(this.id);
      this.ctx.onEmpty(this);
    }
  }

  private broadcast(frame: ServerFrame, except?: string): void {
    for (const m of this.members.values()) if (m.id !== except && m.socket) m.socket.send(frame);
  }
}
