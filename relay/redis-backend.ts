import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type JoinFrame, type ServerFrame, type SignalFrame, nameKey, utf8Length } from '../core/protocol.js';
import type { QualityReport } from './quality-route.js';
import { RoomError, type MemberSocket } from './relay-room.js';
import type { Membership, RoomBackend, RoomView } from './room-backend.js';
import type { BackendContext } from './relay-server.js';
import { JOIN, LEAVE, OFFLINE, PUBLISH, SET_QUALITY, SIGNAL_TARGET, SWEEP } from './redis-scripts.js';

interface RedisMembership extends Membership { conn: string }

/** A member with a socket on this node. */
interface LocalMember {
  peerId: string;
  session: string;
  /** Display name (it changes only with a new join, hence a new record). */
  name: string;
  conn: string;
  socket: MemberSocket;
  /** Events up to this number are already in the member's welcome. */
  floor: number;
  /** Events held while the member's join is in flight (null once live). */
  held: RoomEvent[] | null;
}

interface LocalRoom { id: string; members: Map<string, LocalMember>; pendingJoins: number; bytes: number }

/** What the scripts publish on a room's channel. */
interface RoomEvent { ev?: number; t: 'frame'; except?: string | false; only?: string; onlySession?: string; frame: ServerFrame; kick?: string | false; kickPeer?: string; /** the frame serialised once for all local members */ json?: string }

type Scripted = Redis & Record<'meshJoin' | 'meshPublish' | 'meshLeave' | 'meshOffline' | 'meshSweep' | 'meshSignalTarget' | 'meshSetQuality', (...args: Array<string | number>) => Promise<unknown>>;

/**
 * Rooms in Redis, shared by several relay nodes behind a load balancer. Membership, sequence
 * numbers, the replay buffer and the epoch live in Redis and change only through Lua scripts,
 * which publish each change on the room's channel with a room-wide event number; every node
 * subscribes to the rooms it has sockets in and delivers events in that order. A member can
 * resume on any node.
 *
 * When Redis is unreachable, `/healthz` says so, new joins get `unavailable`, peers keep talking
 * directly, and signals between members on this node still flow. When it is back, this node's
 * sockets are closed with 1012 and resume — so nothing published meanwhile is missed, and a Redis
 * that lost its data shows as a new epoch, which clients handle like a relay restart.
 */
export class RedisBackend implements RoomBackend {
  readonly nodeId = randomBytes(8).toString('base64url');
  private readonly cmd: Scripted;
  private readonly sub: Redis;
  private readonly rooms = new Map<string, LocalRoom>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private wasDown = false;
  private closing = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly ctx: BackendContext, url: string) {
    const opts = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: (n: number) => Math.min(2000, 50 * 2 ** Math.min(n, 6)) };
    this.cmd = new Redis(url, opts) as Scripted;
    this.sub = new Redis(url, { ...opts, autoResubscribe: true });
    const scripts = { meshJoin: JOIN, meshPublish: PUBLISH, meshLeave: LEAVE, meshOffline: OFFLINE, meshSweep: SWEEP, meshSignalTarget: SIGNAL_TARGET, meshSetQuality: SET_QUALITY };
    for (const [name, lua] of Object.entries(scripts)) this.cmd.defineCommand(name, { numberOfKeys: 0, lua });
    for (const r of [this.cmd, this.sub]) {
      r.on('error', (err) => ctx.log.debug('redis error', { err: String(err) }));
      r.on('end', () => { this.wasDown = true; });
      r.on('close', () => { this.wasDown = true; });
      r.on('ready', () => void this.onReady());
    }
    this.sub.on('message', (channel: string, payload: string) => this.onEvent(channel, payload));
  }

  get healthy(): boolean {
    return !this.closing && this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  /** Connects (retrying in the background) and starts the liveness and sweep timers. */
  async start(): Promise<void> {
    await Promise.allSettled([this.cmd.connect(), this.sub.connect()]);
    const grace = this.ctx.options.graceMs;
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(50, this.ctx.options.nodeTtlMs / 3)));
    this.timers.push(setInterval(() => void this.run(() => this.cmd.meshSweep(grace)), Math.max(50, Math.min(1000, grace / 3))));
    for (const t of this.timers) t.unref();
  }

  async join(socket: MemberSocket, f: JoinFrame): Promise<Membership> {
    const o = this.ctx.options;
    const room = this.localRoom(f.room);
    const conn = randomBytes(9).toString('base64url');
    const local: LocalMember = { peerId: f.peerId, session: f.session, name: f.name, conn, socket, floor: Infinity, held: [] };
    room.pendingJoins++;
    let result: JoinResult;
    try {
      await this.subscribe(room);
      const raw = await this.cmd.meshJoin(f.room, JSON.stringify(f), nameKey(f.name), this.nodeId, conn, randomBytes(9).toString('base64url'),
        o.maxMembers, o.maxRooms, o.graceMs, o.replay.maxMessages, o.replay.maxBytes, o.replay.maxAgeMs);
      result = JSON.parse(raw as string) as JoinResult;
    } catch (err) {
      throw this.storeError(err);
    } finally {
      room.pendingJoins--;
    }
    if ('error' in result) {
      this.maybeUnsubscribe(room);
      throw new RoomError(result.error, joinRefusal(result.error, o.maxMembers));
    }
    const previous = room.members.get(f.peerId);
    room.members.set(f.peerId, local);
    if (previous && previous.socket !== socket) previous.socket.close(4000, 'replaced by a newer connection');
    local.floor = result.ev;
    const members = Array.isArray(result.members) ? result.members : [];
    const replay = Array.isArray(result.replay) ? result.replay : [];
    const ice = this.ctx.iceServers(f.peerId);
    socket.pause();
    await socket.sendNow({
      type: 'welcome', epoch: result.epoch, seq: result.seq, resumed: result.resumed, self: result.self, members,
      limits: { messageBytes: o.maxMessageBytes, graceMs: o.graceMs, ratePerSecond: o.ratePerSecond, rateBurst: o.rateBurst },
      ...(ice.iceServers.length > 0 ? { iceServers: ice.iceServers } : {}),
      ...(ice.ttlSeconds !== null ? { iceTtlSeconds: ice.ttlSeconds } : {}),
    });
    for (let i = 0; i < replay.length; i += o.replayBatch) {
      if (room.members.get(f.peerId) !== local) break;
      await Promise.all(replay.slice(i, i + o.replayBatch).map((json) => socket.sendNow(json)));
    }
    this.ctx.metrics.replayed += replay.length;
    if (result.resumed || result.epochChanged) this.ctx.metrics.resumes++;
    const from = f.resume?.epoch === result.epoch ? Math.min(f.resume.lastSeq, result.seq) : 0;
    await socket.sendNow({
      type: 'synced', replayed: replay.length, unavailable: f.resume ? Math.max(0, Math.min(result.firstSeq, result.seq + 1) - 1 - from) : 0,
      epochChanged: result.epochChanged, disconnectedFor: result.disconnectedFor,
    });
    // Events that came while joining: those after the welcome's state, in order.
    const held = local.held ?? [];
    local.held = null;
    for (const ev of held) this.deliver(local, ev);
    socket.resume();
    const m: RedisMembership = { roomId: f.room, peerId: f.peerId, conn };
    return m;
  }

  async leave(m: Membership, socket: MemberSocket, session: string): Promise<void> {
    const { roomId, peerId } = m;
    try {
      await this.run(() => this.cmd.meshLeave(roomId, peerId, session));
    } catch (err) {
      throw this.storeError(err);
    }
    this.dropLocal(roomId, peerId, socket);
  }

  async socketClosed(m: Membership, socket: MemberSocket): Promise<void> {
    const { roomId, peerId, conn } = m as RedisMembership;
    if (!this.dropLocal(roomId, peerId, socket)) return;
    // If Redis is down this fails; the member then shows as online until this node's sockets
    // resume after the outage or this node's liveness key expires — both end in a grace period.
    await this.run(() => this.cmd.meshOffline(roomId, peerId, conn, this.ctx.options.graceMs)).catch(() => {});
  }

  async publish(m: Membership, socket: MemberSocket, n: number, data: unknown, sentAt: number, dataJson = JSON.stringify(data)): Promise<void> {
    const { roomId, peerId, conn } = m as RedisMembership;
    const o = this.ctx.options;
    const bytes = utf8Length(dataJson);
    const name = this.rooms.get(roomId)?.members.get(peerId)?.name ?? '';
    const tail = `,"from":"${peerId}","name":${JSON.stringify(name)},"n":${n},"data":${dataJson},"sentAt":${sentAt},"at":`;
    let result: { seq?: number; dup?: number; error?: string; stale?: boolean; expected?: number };
    try {
      result = JSON.parse(await this.run(() => this.cmd.meshPublish(roomId, peerId, conn, n, bytes, o.maxMessageBytes, tail, o.replay.maxMessages, o.replay.maxBytes, o.replay.maxAgeMs)) as string);
    } catch (err) {
      throw this.storeError(err);
    }
    if (result.stale) return;
    if (result.error === 'out-of-order') throw new RoomError('out-of-order', `expected message ${result.expected}, got ${n}`);
    if (result.error === 'payload-too-large') throw new RoomError('payload-too-large', `message data is ${bytes} bytes; this room allows ${o.maxMessageBytes}`);
    if (result.dup !== undefined) {
      this.ctx.metrics.duplicatePublishes++;
      socket.send({ type: 'ack', n, seq: result.dup });
      return;
    }
    this.ctx.metrics.messagesIn++;
    const room = this.rooms.get(roomId);
    if (room) room.bytes += bytes;
    socket.send({ type: 'ack', n, seq: result.seq! });
  }

  async signal(m: Membership, _socket: MemberSocket, f: SignalFrame): Promise<void> {
    const { roomId, peerId, conn } = m as RedisMembership;
    const room = this.rooms.get(roomId);
    const me = room?.members.get(peerId);
    if (!me) return;
    const frame: ServerFrame = { type: 'signal', from: peerId, fromSession: me.session, toSession: f.toSession, data: f.data };
    // A member on this node gets it directly: ICE restarts between them work even without Redis.
    const local = room!.members.get(f.to);
    if (local && local.session === f.toSession) {
      this.deliver(local, { t: 'frame', frame });
      this.ctx.metrics.signals++;
      return;
    }
    let session: string;
    try {
      session = (await this.run(() => this.cmd.meshSignalTarget(roomId, peerId, conn, f.to))) as string;
    } catch (err) {
      throw this.storeError(err);
    }
    if (session === '!') return;
    if (session === '') throw new RoomError('unknown-peer', 'the addressed peer is not in this room');
    if (session !== f.toSession) return;
    const event: RoomEvent = { t: 'frame', only: f.to, onlySession: f.toSession, frame };
    await this.run(() => this.cmd.publish(`mesh:{${roomId}}:events`, JSON.stringify(event))).catch((err) => { throw this.storeError(err); });
    this.ctx.metrics.signals++;
  }

  isCurrent(m: Membership, socket: MemberSocket): boolean {
    return this.rooms.get(m.roomId)?.members.get(m.peerId)?.socket === socket;
  }

  async view(roomId: string): Promise<RoomView | null> {
    const [meta, members, entries] = await Promise.all([
      this.cmd.hgetall(`mesh:{${roomId}}:meta`),
      this.cmd.hgetall(`mesh:{${roomId}}:members`),
      this.cmd.lrange(`mesh:{${roomId}}:log`, 0, 0),
    ]).catch((err) => { throw this.storeError(err); });
    if (!meta.epoch) return null;
    const now = Date.now();
    const first = entries[0] ? Number(/"seq":(\d+)/.exec(entries[0])?.[1]) : Number(meta.seq) + 1;
    const count = await this.cmd.llen(`mesh:{${roomId}}:log`);
    return {
      room: roomId, epoch: meta.epoch, lastSeq: Number(meta.seq),
      buffer: { messages: count, bytes: Number(meta.bytes ?? 0), firstSeq: first },
      members: Object.values(members).map((json) => {
        const x = JSON.parse(json) as StoredMember;
        return { id: x.id, name: x.name, online: x.online, lastN: x.lastN, disconnectedForMs: x.disconnectedAt ? now - x.disconnectedAt : null, quality: x.quality || null };
      }),
    };
  }

  async memberKey(roomId: string, peerId: string): Promise<string | null> {
    const raw = await this.cmd.hget(`mesh:{${roomId}}:members`, peerId).catch(() => null);
    return raw ? (JSON.parse(raw) as StoredMember).key : null;
  }

  async setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void> {
    await this.run(() => this.cmd.meshSetQuality(roomId, peerId, JSON.stringify(report))).catch(() => {});
  }

  stats() {
    let members = 0;
    let bytes = 0;
    for (const r of this.rooms.values()) { members += r.members.size; bytes += r.bytes; }
    return { rooms: this.rooms.size, members, bufferBytes: bytes };
  }

  /** Marks this node's members as disconnected (their grace starts), then lets go of Redis. */
  async close(): Promise<void> {
    if (this.closing) return;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.inflight]);
    const grace = this.ctx.options.graceMs;
    if (this.cmd.status === 'ready') {
      await Promise.allSettled([...this.rooms.values()].flatMap((r) => [...r.members.values()].map((lm) => this.cmd.meshOffline(r.id, lm.peerId, lm.conn, grace))));
      await this.cmd.srem('mesh:nodes', this.nodeId).catch(() => {});
      await this.cmd.del(`mesh:node:${this.nodeId}`).catch(() => {});
    }
    this.closing = true;
    this.rooms.clear();
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  // -------------------------------------------------------------------------------------------

  private localRoom(id: string): LocalRoom {
    let room = this.rooms.get(id);
    if (!room) this.rooms.set(id, (room = { id, members: new Map(), pendingJoins: 0, bytes: 0 }));
    return room;
  }

  private async subscribe(room: LocalRoom): Promise<void> {
    await this.sub.subscribe(`mesh:{${room.id}}:events`);
  }

  private maybeUnsubscribe(room: LocalRoom): void {
    if (room.members.size > 0 || room.pendingJoins > 0) return;
    this.rooms.delete(room.id);
    void this.sub.unsubscribe(`mesh:{${room.id}}:events`).catch(() => {});
  }

  /** Forgets a local socket; false when it was not the member's current one. */
  private dropLocal(roomId: string, peerId: string, socket: MemberSocket): boolean {
    const room = this.rooms.get(roomId);
    const local = room?.members.get(peerId);
    if (!room || !local || local.socket !== socket) return false;
    room.members.delete(peerId);
    this.maybeUnsubscribe(room);
    return true;
  }

  private onEvent(channel: string, payload: string): void {
    const id = /^mesh:\{(.+)\}:events$/.exec(channel)?.[1];
    const room = id ? this.rooms.get(id) : undefined;
    if (!room) return;
    let ev: RoomEvent;
    try {
      ev = JSON.parse(payload) as RoomEvent;
    } catch {
      return;
    }
    if (ev.kick && ev.kickPeer !== undefined) {
      // The member resumed elsewhere (or here, on a newer socket): close the old socket.
      const old = room.members.get(ev.kickPeer);
      if (old && old.conn === ev.kick) {
        room.members.delete(ev.kickPeer);
        old.socket.close(4000, 'replaced by a newer connection');
      }
    } else if (ev.kick && ev.frame.type === 'peer-left') {
      const gone = room.members.get(ev.frame.id);
      if (gone && gone.conn === ev.kick) {
        room.members.delete(ev.frame.id);
        gone.socket.close(4000, 'replaced');
      }
    }
    for (const member of room.members.values()) {
      if (ev.except === member.peerId) continue;
      if (ev.only !== undefined && (ev.only !== member.peerId || ev.onlySession !== member.session)) continue;
      this.deliver(member, ev);
    }
  }

  private deliver(member: LocalMember, ev: RoomEvent): void {
    if (member.held) {
      member.held.push(ev);
      return;
    }
    if (ev.ev !== undefined && ev.ev <= member.floor) return; // already part of its welcome
    member.socket.send((ev.json ??= JSON.stringify(ev.frame)));
    if (ev.frame.type === 'message') this.ctx.metrics.messagesOut++;
  }

  private async heartbeat(): Promise<void> {
    await this.run(() => this.cmd.multi()
      .set(`mesh:node:${this.nodeId}`, '1', 'PX', this.ctx.options.nodeTtlMs)
      .sadd('mesh:nodes', this.nodeId)
      .exec()).catch(() => {});
  }

  /** Redis is back: resume this node's sockets (nothing published meanwhile is missed). */
  private async onReady(): Promise<void> {
    if (!this.healthy) return;
    await this.heartbeat();
    if (!this.wasDown) return;
    this.wasDown = false;
    this.ctx.log.info('redis is back; resuming this node\'s sockets');
    for (const room of this.rooms.values()) {
      for (const member of [...room.members.values()]) member.socket.close(1012, 'room store restarted; resume');
    }
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private storeError(err: unknown): RoomError {
    if (err instanceof RoomError) return err;
    this.ctx.log.warn('redis operation failed', { err: String(err) });
    return new RoomError('unavailable', 'the relay cannot reach its room store right now; retrying will work once it is back');
  }
}

interface StoredMember { id: string; key: string; name: string; online: boolean; lastN: number; disconnectedAt: number | false; quality: QualityReport | false }

type JoinResult =
  | { error: 'too-many-rooms' | 'key-mismatch' | 'name-taken' | 'room-full' }
  | {
    epoch: string; seq: number; ev: number; resumed: boolean; disconnectedFor: number | null; epochChanged: boolean;
    self: import('../core/protocol.js').MemberInfo; members: import('../core/protocol.js').MemberInfo[] | Record<string, never>;
    replay: string[] | Record<string, never>; firstSeq: number;
  };

function joinRefusal(code: string, maxMembers: number): string {
  switch (code) {
    case 'name-taken': return 'this name is taken in this room';
    case 'room-full': return `the room is full (${maxMembers} members)`;
    case 'key-mismatch': return 'this peer id is in use by another client';
    default: return 'the relay has reached its room limit';
  }
}
