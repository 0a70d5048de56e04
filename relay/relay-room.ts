import { randomBytes } from 'node:crypto';
import { CLOSE_CODES, type JoinFrame, type MemberInfo, type PublishFrame, type ServerFrame, type SignalFrame, nameKey, utf8Length } from '../core/protocol.js';
import type { BackendContext, MemberSocket, QualityReport } from './contracts.js';
import { RoomError } from './room-error.js';
import { messageJson, messageTail, replayFrom, writeCatchUp } from './catch-up.js';
import { ReplayBuffer } from './replay-buffer.js';
import type { ReplayBudget } from './replay-budget.js';
import { keyDigest, keyMatches } from './member-key.js';
import { MEMBER_TRANSITIONS, StateMachine } from './state-table.js';

/** A member as an in-memory room keeps it: online with a socket, or in its grace period without one. */
export interface RelayMember {
  readonly id: string;
  /** SHA-256 of the member's secret key (see `member-key.ts`). */
  readonly keyDigest: string;
  name: string;
  nameKey: string;
  session: string;
  baseN: number;
  lastN: number;
  readonly state: StateMachine<'online' | 'grace' | 'gone'>;
  socket: MemberSocket | null;
  /** When the socket dropped (grace period), else null. */
  disconnectedAt: number | null;
  graceTimer: unknown;
  /** The latest quality report of this member, if any. */
  quality: QualityReport | null;
}

export type JoinOutcome = { member: RelayMember; resumed: boolean };

/**
 * One room in this relay's memory: its members, its message sequence, its epoch and its replay
 * buffer. Every operation is synchronous — it checks, then changes the room, then queues frames
 * on sockets without waiting for any of them — so operations never interleave and a client that
 * reads slowly delays nobody. A join that is refused changes nothing.
 */
export class RelayRoom {
  /** Random id of this room's message stream; a room created again gets a new one. */
  readonly epoch = randomBytes(9).toString('base64url');
  readonly members = new Map<string, RelayMember>();
  /** Last sequence number assigned. */
  seq = 0;
  readonly buffer: ReplayBuffer;
  private closed = false;

  constructor(readonly id: string, private readonly ctx: BackendContext, budget: ReplayBudget, private readonly onEmpty: (room: RelayRoom) => void) {
    this.buffer = new ReplayBuffer(ctx.options.replay, budget);
  }

  get isEmpty(): boolean { return this.members.size === 0; }

  info(m: RelayMember): MemberInfo {
    return { id: m.id, name: m.name, session: m.session, baseN: m.baseN, lastN: m.lastN, online: m.socket !== null };
  }

  /**
   * Admits a socket: a resume of a held member (same peer id and key), a re-join under a new
   * session, or a new member — which may take over the name of a member in its grace period.
   * Writes the welcome, the catch-up and `synced`. Throws {@link RoomError} before changing anything.
   */
  join(socket: MemberSocket, f: JoinFrame): JoinOutcome {
    const { options, metrics, clock } = this.ctx;
    if (this.closed) throw new RoomError('unavailable', 'the room is closing; retry');
    const now = clock.now();
    const key = nameKey(f.name);
    let member = this.members.get(f.peerId);
    if (member && !keyMatches(member.keyDigest, f.key)) throw new RoomError('key-mismatch', 'this peer id is in use by another client');
    // Names are unique by look-alike key. A holder without a socket (in its grace period) gives
    // the name up to a new client: most likely the same person after a reload.
    const holders = [...this.members.values()].filter((o) => o.id !== f.peerId && o.nameKey === key);
    if (holders.some((o) => o.socket !== null)) throw new RoomError('name-taken', `the name "${f.name}" (or one that looks the same) is taken in this room`);
    if (!member && this.members.size - holders.length >= options.maxMembers) throw new RoomError('room-full', `the room is full (${options.maxMembers} members)`);

    // Checked; from here on the join happens. The room is not dropped while it is briefly empty.
    for (const holder of holders) this.remove(holder, 'replaced', false);
    let resumed = false;
    let disconnectedFor: number | null = null;
    if (member) {
      if (member.disconnectedAt !== null) disconnectedFor = now - member.disconnectedAt;
      this.endGrace(member);
      const previous = member.socket;
      member.socket = socket;
      member.state.to('online');
      previous?.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
      const rejoin = member.session !== f.session;
      Object.assign(member, { name: f.name, nameKey: key, session: f.session, baseN: rejoin ? f.baseN : member.baseN, lastN: Math.max(member.lastN, f.lastN) });
      resumed = !rejoin;
      if (rejoin) this.broadcast({ type: 'peer-joined', member: this.info(member) }, member.id);
      else this.broadcast({ type: 'peer-status', id: member.id, online: true }, member.id);
      metrics.resumes++;
    } else {
      member = {
        id: f.peerId, keyDigest: keyDigest(f.key), name: f.name, nameKey: key, session: f.session, baseN: f.baseN,
        lastN: f.lastN, state: new StateMachine('online', MEMBER_TRANSITIONS, 'member'), socket,
        disconnectedAt: null, graceTimer: null, quality: null,
      };
      this.members.set(member.id, member);
      this.broadcast({ type: 'peer-joined', member: this.info(member) }, member.id);
    }

    const from = replayFrom(f.resume, this.epoch, this.seq);
    const replay = this.buffer.since(from, now).map((m) => m.json);
    const self = member;
    writeCatchUp(socket, this.ctx, f.resume, {
      epoch: this.epoch, seq: this.seq, firstSeq: this.buffer.firstSeq, resumed, self: this.info(self),
      members: [...this.members.values()].filter((m) => m !== self).map((m) => this.info(m)), replay, disconnectedFor,
    });
    return { member, resumed };
  }

  /** An explicit leave: the member is gone at once. Ignored for a stale session. */
  leave(member: RelayMember, session: string): boolean {
    if (this.members.get(member.id) !== member || member.session !== session) return false;
    this.remove(member, 'leave', true);
    return true;
  }

  /** The member's socket closed without a leave: keep it for the grace period. */
  socketClosed(member: RelayMember, socket: MemberSocket): void {
    if (this.members.get(member.id) !== member || member.socket !== socket) return;
    const { clock, options } = this.ctx;
    member.socket = null;
    member.state.to('grace');
    member.disconnectedAt = clock.now();
    this.broadcast({ type: 'peer-status', id: member.id, online: false }, member.id);
    member.graceTimer = clock.setTimeout(() => {
      member.graceTimer = null;
      if (this.members.get(member.id) === member && member.state.is('grace')) this.remove(member, 'timeout', true);
    }, options.graceMs);
  }

  /** Stores and fans out a room message, then acknowledges it to the sender. */
  publish(member: RelayMember, f: PublishFrame): void {
    const { options, metrics, clock } = this.ctx;
    if (this.members.get(member.id) !== member) return;
    const { n } = f;
    const dataJson = f.dataJson ?? JSON.stringify(f.data);
    const bytes = utf8Length(dataJson);
    if (n > member.lastN + 1) throw new RoomError('out-of-order', `expected message ${member.lastN + 1}, got ${n}`);
    if (bytes > options.maxMessageBytes) {
      // Refused for good: its number is used up, so the sender's later messages still fit.
      if (n === member.lastN + 1) member.lastN = n;
      throw new RoomError('payload-too-large', `message data is ${bytes} bytes; this room allows ${options.maxMessageBytes}`);
    }
    if (n <= member.lastN) {
      // A resend after a reconnect of something already stored: acknowledge, do not repeat.
      member.socket?.send({ type: 'ack', n, seq: this.buffer.find(member.id, n)?.seq ?? 0 });
      metrics.duplicatePublishes++;
      return;
    }
    const now = clock.now();
    member.lastN = n;
    const seq = ++this.seq;
    const json = messageJson(seq, messageTail(member.id, member.name, n, dataJson, f.sentAt), now);
    this.buffer.append({ seq, from: member.id, n, at: now, bytes, json }, now);
    metrics.messagesIn++;
    // Encoded once for every receiver (ws would encode a string again for each socket).
    let bytesOut: Buffer | null = null;
    for (const other of this.members.values()) {
      if (other !== member && other.socket) {
        other.socket.send((bytesOut ??= Buffer.from(json)));
        metrics.messagesOut++;
      }
    }
    member.socket?.send(`{"type":"ack","n":${n},"seq":${seq}}`);
  }

  /** Forwards a signal to one member. Signals to an old session of that member are dropped. */
  signal(member: RelayMember, f: SignalFrame): void {
    const target = this.members.get(f.to);
    if (!target || target === member) throw new RoomError('unknown-peer', 'the addressed peer is not in this room');
    if (target.session !== f.toSession || !target.socket) return;
    target.socket.send({ type: 'signal', from: member.id, fromSession: member.session, toSession: f.toSession, data: f.data });
    this.ctx.metrics.signals++;
  }

  /** Ends every membership (relay shutdown, or the room emptied). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.members.values()) this.endGrace(m);
    this.members.clear();
    this.buffer.clear();
  }

  private endGrace(member: RelayMember): void {
    if (member.graceTimer !== null) this.ctx.clock.clearTimeout(member.graceTimer);
    member.graceTimer = null;
    member.disconnectedAt = null;
  }

  private remove(member: RelayMember, reason: 'leave' | 'timeout' | 'replaced', dropIfEmpty: boolean): void {
    this.endGrace(member);
    this.members.delete(member.id);
    member.state.to('gone');
    const socket = member.socket;
    member.socket = null;
    if (reason === 'replaced') socket?.close(CLOSE_CODES.replaced, 'replaced');
    this.broadcast({ type: 'peer-left', id: member.id, session: member.session, reason });
    this.ctx.memberGone(this.id, member.id);
    this.ctx.log.debug('member left', { room: this.id, peer: member.id, reason });
    if (dropIfEmpty && this.members.size === 0) this.onEmpty(this);
  }

  /** Sends `frame` to every online member but `except`. */
  broadcast(frame: ServerFrame, except?: string): void {
    let json: string | null = null;
    for (const m of this.members.values()) {
      if (m.id !== except && m.socket) m.socket.send((json ??= JSON.stringify(frame)));
    }
  }
}
