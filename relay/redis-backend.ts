import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CLOSE_CODES, type JoinFrame, type MemberInfo, type PublishFrame, type ServerFrame, type SignalFrame, nameKey, utf8Length } from '../core/protocol.js';
import type { BackendContext, MemberSocket, Membership, QualityReport, RoomBackend, RoomView } from './contracts.js';
import { RoomError } from './room-error.js';
import { messageTail, writeCatchUp } from './catch-up.js';
import { keyDigest, keyMatches } from './member-key.js';
import { applyEvent, deliver, type LocalMember, type LocalRoom, type RoomEvent } from './redis-local-rooms.js';
import { HEARTBEAT, JOIN, LEAVE, OFFLINE, PUBLISH, RECONCILE, SET_QUALITY, SIGNAL_TARGET, SWEEP, VIEW } from './redis-scripts.js';

interface RedisMembership extends Membership { conn: string }

type Script = 'meshJoin' | 'meshPublish' | 'meshLeave' | 'meshOffline' | 'meshReconcile' | 'meshHeartbeat' | 'meshSweep' | 'meshView' | 'meshSignalTarget' | 'meshSetQuality';
type Scripted = Redis & Record<Script, (...args: Array<string | number>) => Promise<unknown>>;

type JoinResult =
  | { error: 'too-many-rooms' | 'key-mismatch' | 'name-taken' | 'room-full' }
  | { epoch: string; seq: number; ev: number; resumed: boolean; disconnectedFor: number | null; self: MemberInfo; members: MemberInfo[] | Record<string, never>; replay: string[] | Record<string, never>; firstSeq: number };

const REFUSALS: Record<string, string> = {
  'name-taken': 'this name (or one that looks the same) is taken in this room',
  'key-mismatch': 'this peer id is in use by another client',
  'too-many-rooms': 'the relay has reached its room limit',
};

/**
 * Rooms in Redis, shared by several relay nodes behind a load balancer. Membership, sequence
 * numbers, the replay buffer and the epoch live in Redis and change only through Lua scripts
 * (see `redis-scripts.ts`), which publish each change on the room's channel with a room-wide
 * event number; every node subscribes to the rooms it has sockets in and delivers events in
 * that order. A member can resume on any node.
 *
 * When Redis is unreachable or stops answering (commands time out after `redisTimeoutMs`),
 * `/healthz` says so, new joins get `unavailable`, peers keep talking directly, and signals
 * between members on this node still flow. What this node could not record meanwhile (sockets
 * that closed, joins whose answer never came) is reconciled as soon as Redis answers again:
 * members without a socket start their grace period. After a disconnection this node's sockets
 * are closed with 1012 and resume, so nothing published meanwhile is missed; a Redis that lost
 * its data shows as a new epoch, which clients handle like a relay restart.
 */
export class RedisBackend implements RoomBackend {
  readonly nodeId = randomBytes(8).toString('base64url');
  private readonly cmd: Scripted;
  private readonly sub: Redis;
  private readonly rooms = new Map<string, LocalRoom>();
  /** Conns of joins whose script has not answered: not to be reconciled away. */
  private readonly pendingConns = new Set<string>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private wasDown = false;
  private closing = false;
  /** A command timed out: Redis is not answering (frozen, overloaded) until a probe succeeds. */
  private stalled = false;
  /** Something may be recorded in Redis that this node could not confirm: reconcile when possible. */
  private needReconcile = false;
  private probing = false;
  private readonly inflight = new Set<Promise<unknown>>();
  /** How long Redis keeps a room nobody touches, ms. */
  private readonly roomTtlMs: number;

  constructor(private readonly ctx: BackendContext, url: string) {
    const o = ctx.options;
    this.roomTtlMs = o.graceMs + 2 * o.nodeTtlMs + 1000;
    const opts = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, commandTimeout: o.redisTimeoutMs, retryStrategy: (n: number) => Math.min(2000, 50 * 2 ** Math.min(n, 6)) };
    this.cmd = new Redis(url, opts) as Scripted;
    this.sub = new Redis(url, { ...opts, autoResubscribe: true });
    const scripts: Record<Script, string> = { meshJoin: JOIN, meshPublish: PUBLISH, meshLeave: LEAVE, meshOffline: OFFLINE, meshReconcile: RECONCILE, meshHeartbeat: HEARTBEAT, meshSweep: SWEEP, meshView: VIEW, meshSignalTarget: SIGNAL_TARGET, meshSetQuality: SET_QUALITY };
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
    return !this.closing && !this.stalled && this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  /** Connects (retrying in the background) and starts the liveness and sweep timers. */
  async start(): Promise<void> {
    await Promise.allSettled([this.cmd.connect(), this.sub.connect()]);
    const o = this.ctx.options;
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(50, o.nodeTtlMs / 3)));
    const sweepMs = o.sweepIntervalMs ?? Math.max(50, Math.min(1000, o.graceMs / 3));
    this.timers.push(setInterval(() => void this.call((a) => this.cmd.meshSweep(...a, o.graceMs)).catch(() => {}), sweepMs));
    for (const t of this.timers) t.unref();
  }

  async join(socket: MemberSocket, f: JoinFrame): Promise<Membership> {
    const o = this.ctx.options;
    const room = this.localRoom(f.room);
    const conn = randomBytes(9).toString('base64url');
    const local: LocalMember = { peerId: f.peerId, session: f.session, name: f.name, conn, socket, floor: Infinity, held: [], heldBytes: 0, overflow: false };
    room.joining.set(conn, local);
    this.pendingConns.add(conn);
    let result: JoinResult;
    try {
      await this.subscribe(room);
      const raw = await this.call((a) => this.cmd.meshJoin(...a, f.room, f.peerId, keyDigest(f.key), f.session, f.name, nameKey(f.name), f.baseN, f.lastN,
        f.resume?.epoch ?? '', f.resume?.lastSeq ?? 0, this.nodeId, conn, randomBytes(9).toString('base64url'),
        o.maxMembers, o.maxRooms, o.graceMs, o.replay.maxMessages, o.replay.maxBytes, o.replay.maxAgeMs));
      result = JSON.parse(raw as string) as JoinResult;
    } catch (err) {
      // The answer never came: the join may still happen in Redis; reconcile it away later.
      this.needReconcile = true;
      this.endJoin(room, conn);
      throw this.storeError(err);
    }
    room.joining.delete(conn);
    this.pendingConns.delete(conn);
    if ('error' in result) {
      this.maybeUnsubscribe(room);
      throw new RoomError(result.error, result.error === 'room-full' ? `the room is full (${o.maxMembers} members)` : REFUSALS[result.error]);
    }
    // From the script's answer to live delivery, nothing waits: no event can slip in between.
    const previous = room.members.get(f.peerId);
    room.members.set(f.peerId, local);
    if (previous && previous.socket !== socket) previous.socket.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    local.floor = result.ev;
    writeCatchUp(socket, this.ctx, f.resume, {
      epoch: result.epoch, seq: result.seq, firstSeq: result.firstSeq, resumed: result.resumed, self: result.self,
      members: Array.isArray(result.members) ? result.members : [], replay: Array.isArray(result.replay) ? result.replay : [],
      disconnectedFor: result.disconnectedFor,
    });
    if (result.resumed || f.resume) this.ctx.metrics.resumes++;
    const held = local.held ?? [];
    local.held = null;
    if (local.overflow) socket.close(CLOSE_CODES.tooSlow, 'too much arrived while joining; resume to catch up');
    else for (const ev of held) this.deliverTo(local, ev);
    const m: RedisMembership = { roomId: f.room, peerId: f.peerId, conn };
    return m;
  }

  async leave(m: Membership, socket: MemberSocket, session: string): Promise<void> {
    const { roomId, peerId } = m;
    try {
      await this.call((a) => this.cmd.meshLeave(...a, roomId, peerId, session));
    } catch (err) {
      throw this.storeError(err);
    }
    this.dropLocal(roomId, peerId, socket);
  }

  async socketClosed(m: Membership, socket: MemberSocket): Promise<void> {
    const { roomId, peerId, conn } = m as RedisMembership;
    if (!this.dropLocal(roomId, peerId, socket)) return;
    // If Redis does not hear of it now, reconciliation starts the grace period once it answers.
    await this.call((a) => this.cmd.meshOffline(...a, roomId, peerId, conn, this.ctx.options.graceMs)).catch(() => { this.needReconcile = true; });
  }

  async publish(m: Membership, socket: MemberSocket, f: PublishFrame): Promise<void> {
    const { roomId, peerId, conn } = m as RedisMembership;
    const o = this.ctx.options;
    const dataJson = f.dataJson ?? JSON.stringify(f.data);
    const bytes = utf8Length(dataJson);
    const name = this.rooms.get(roomId)?.members.get(peerId)?.name ?? '';
    let result: { seq?: number; dup?: number; error?: string; stale?: boolean; expected?: number };
    try {
      result = JSON.parse(await this.call((a) => this.cmd.meshPublish(...a, roomId, peerId, conn, f.n, bytes, o.maxMessageBytes,
        messageTail(peerId, name, f.n, dataJson, f.sentAt), o.replay.maxMessages, o.replay.maxBytes, o.replay.maxAgeMs)) as string);
    } catch (err) {
      throw this.storeError(err);
    }
    if (result.stale) return;
    if (result.error === 'out-of-order') throw new RoomError('out-of-order', `expected message ${result.expected}, got ${f.n}`);
    if (result.error === 'payload-too-large') throw new RoomError('payload-too-large', `message data is ${bytes} bytes; this room allows ${o.maxMessageBytes}`);
    if (result.dup !== undefined) {
      this.ctx.metrics.duplicatePublishes++;
      socket.send({ type: 'ack', n: f.n, seq: result.dup });
      return;
    }
    this.ctx.metrics.messagesIn++;
    socket.send({ type: 'ack', n: f.n, seq: result.seq! });
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
      this.deliverTo(local, { t: 'frame', frame });
      this.ctx.metrics.signals++;
      return;
    }
    let session: string;
    try {
      session = (await this.call((a) => this.cmd.meshSignalTarget(...a, roomId, peerId, conn, f.to))) as string;
    } catch (err) {
      throw this.storeError(err);
    }
    if (session === '!') return;
    if (session === '') throw new RoomError('unknown-peer', 'the addressed peer is not in this room');
    if (session !== f.toSession) return;
    const event: RoomEvent = { t: 'frame', only: f.to, onlySession: f.toSession, frame };
    await this.call(() => this.cmd.publish(`mesh:{${roomId}}:events`, JSON.stringify(event))).catch((err) => { throw this.storeError(err); });
    this.ctx.metrics.signals++;
  }

  async announce(roomId: string, frame: ServerFrame, except: string): Promise<void> {
    // Every node with members in the room hears it on the room's channel (this one too).
    const event: RoomEvent = { t: 'frame', except, frame };
    await this.call(() => this.cmd.publish(`mesh:{${roomId}}:events`, JSON.stringify(event))).catch((err) => { throw this.storeError(err); });
  }

  isCurrent(m: Membership, socket: MemberSocket): boolean {
    return this.rooms.get(m.roomId)?.members.get(m.peerId)?.socket === socket;
  }

  async view(roomId: string): Promise<RoomView | null> {
    const o = this.ctx.options;
    const raw = await this.call((a) => this.cmd.meshView(...a, roomId, o.replay.maxMessages, o.replay.maxBytes, o.replay.maxAgeMs)).catch((err) => { throw this.storeError(err); });
    if (!raw) return null;
    const view = JSON.parse(raw as string) as RoomView;
    if (!Array.isArray(view.members)) view.members = [];
    return view;
  }

  async checkMemberKey(roomId: string, peerId: string, key: string): Promise<boolean> {
    const raw = await this.call(() => this.cmd.hget(`mesh:{${roomId}}:members`, peerId)).catch(() => null);
    if (!raw) return false;
    const digest = (JSON.parse(raw) as { keyDigest?: unknown }).keyDigest;
    return typeof digest === 'string' && keyMatches(digest, key);
  }

  async setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void> {
    await this.call((a) => this.cmd.meshSetQuality(...a, roomId, peerId, JSON.stringify(report))).catch(() => {});
  }

  stats() {
    let members = 0;
    for (const r of this.rooms.values()) members += r.members.size;
    return { rooms: this.rooms.size, members, bufferBytes: 0 };
  }

  /** Marks this node's members as disconnected (their grace starts), then lets go of Redis. */
  async close(): Promise<void> {
    if (this.closing) return;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.inflight]);
    const grace = this.ctx.options.graceMs;
    if (this.healthy) {
      await Promise.allSettled([...this.rooms.values()].flatMap((r) => [...r.members.values()].map((lm) => this.call((a) => this.cmd.meshOffline(...a, r.id, lm.peerId, lm.conn, grace)))));
      await this.cmd.srem('mesh:nodes', this.nodeId).catch(() => {});
      await this.cmd.del(`mesh:node:${this.nodeId}`).catch(() => {});
    }
    this.closing = true;
    this.rooms.clear();
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  // -------------------------------------------------------------------------------------------

  private endJoin(room: LocalRoom, conn: string): void {
    room.joining.delete(conn);
    this.pendingConns.delete(conn);
    this.maybeUnsubscribe(room);
  }

  private localRoom(id: string): LocalRoom {
    let room = this.rooms.get(id);
    if (!room) this.rooms.set(id, (room = { id, members: new Map(), joining: new Map(), subscription: null }));
    return room;
  }

  private subscribe(room: LocalRoom): Promise<unknown> {
    room.subscription ??= this.call(() => this.sub.subscribe(`mesh:{${room.id}}:events`)).catch((err) => {
      room.subscription = null;
      throw err;
    });
    return room.subscription;
  }

  private maybeUnsubscribe(room: LocalRoom): void {
    if (room.members.size > 0 || room.joining.size > 0 || this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    if (room.subscription) void this.sub.unsubscribe(`mesh:{${room.id}}:events`).catch(() => {});
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
    applyEvent(room, ev, this.ctx.options.maxSocketBufferBytes, () => this.ctx.metrics.messagesOut++);
    // Every node hears a member leave; the one that held its SFU handles lets them go.
    if (ev.frame?.type === 'peer-left') this.ctx.memberGone(id!, ev.frame.id);
  }

  private deliverTo(member: LocalMember, ev: RoomEvent): void {
    deliver(member, ev, this.ctx.options.maxSocketBufferBytes, () => this.ctx.metrics.messagesOut++);
  }

  /** Keeps this node alive in Redis and its rooms from expiring; reconciles when something is owed. */
  private async heartbeat(): Promise<void> {
    const o = this.ctx.options;
    await this.call((a) => this.cmd.meshHeartbeat(...a, this.nodeId, o.nodeTtlMs, ...this.rooms.keys())).catch(() => {});
    if (this.needReconcile && this.healthy) await this.reconcile();
  }

  private async reconcile(): Promise<void> {
    this.needReconcile = false;
    const live = [...this.pendingConns];
    for (const room of this.rooms.values()) for (const m of room.members.values()) live.push(m.conn);
    const done = await this.call((a) => this.cmd.meshReconcile(...a, this.nodeId, this.ctx.options.graceMs, ...live)).catch(() => { this.needReconcile = true; return 0; });
    if (Number(done) > 0) this.ctx.log.info('reconciled members whose socket closed while redis was away', { members: Number(done) });
  }

  /**
   * Redis answers again (connected, or a probe went through after commands timed out): keep
   * this node alive, reconcile, and after a disconnection resume this node's sockets (pub/sub
   * is not durable: what was published meanwhile is caught up by resuming).
   */
  private async onReady(): Promise<void> {
    if (!this.healthy) return;
    // Who has to resume is decided now, as Redis answers: the sockets that were here while it
    // was away. A member who joins while the heartbeat and reconcile below are under way joined
    // the store as it is now (its welcome is its catch-up) and stays; and an outage that begins
    // meanwhile sets `wasDown` again for the next time Redis answers.
    const away = this.wasDown ? [...this.rooms.values()].flatMap((r) => [...r.members.values()].map((m) => m.socket)) : null;
    this.wasDown = false;
    this.needReconcile = true;
    await this.heartbeat();
    if (!away) return;
    this.ctx.log.info('redis is back; resuming this node\'s sockets');
    for (const socket of away) socket.close(CLOSE_CODES.restarting, 'room store restarted; resume');
  }

  /**
   * Runs one Redis call with the arguments every script starts with (clock offset, room TTL),
   * tracks it for `close()`, and notices when Redis stops answering.
   */
  private call<T>(fn: (common: [number, number]) => Promise<T>): Promise<T> {
    const p = fn([this.ctx.clock.now() - Date.now(), this.roomTtlMs]);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch((err: unknown) => {
      if (/timed out/i.test(String((err as Error)?.message))) this.onStalled();
    });
    return p;
  }

  private onStalled(): void {
    if (this.closing) return;
    this.stalled = true;
    this.needReconcile = true;
    if (this.probing) return;
    this.probing = true;
    this.ctx.log.warn('redis is not answering; joins are refused until it does');
    const probe = async () => {
      if (this.closing) return void (this.probing = false);
      const ok = await this.cmd.ping().then(() => true, () => false);
      if (!ok) return void setTimeout(() => void probe(), 200).unref();
      this.probing = false;
      this.stalled = false;
      this.ctx.log.info('redis answers again');
      await this.onReady();
    };
    void probe();
  }

  private storeError(err: unknown): RoomError {
    if (err instanceof RoomError) return err;
    this.ctx.log.warn('redis operation failed', { err: String(err) });
    return new RoomError('unavailable', 'the relay cannot reach its room store right now; retrying will work once it is back');
  }
}
