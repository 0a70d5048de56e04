import { systemClock, Timer, type Clock } from './clock.js';
import { parseChannelFrame, type ChannelFrame } from './channel-frames.js';
import { MeshError } from './errors.js';
import { randomId } from './ids.js';
import { MessageExchange, type LostReport, type MessageTuning, type ReconnectReport, type RoomMessage } from './message-exchange.js';
import { PeerLink, type LinkState, type LinkTuning } from './peer-link.js';
import {
  isValidRoomId, normalizeName, PROTOCOL_LIMITS,
  type MemberInfo, type ServerFrame, type SignalData, type WelcomeFrame,
} from './protocol.js';
import {
  SignalingClient, type SignalingTuning, type StateChange, type WebSocketConstructor,
} from './signaling-client.js';
import { StateMachine, type TransitionTable } from './state-machine.js';
import { TypedEventTarget } from './typed-event-target.js';

/** What the user sees: `idle` → `connecting` → `connected` ⇄ `reconnecting`, `failed`, `closed`. */
export type RoomState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export const ROOM_TRANSITIONS: TransitionTable<RoomState> = {
  idle: ['connecting', 'closed'],
  connecting: ['connected', 'reconnecting', 'failed', 'idle', 'closed'],
  connected: ['reconnecting', 'failed', 'idle', 'closed'],
  reconnecting: ['connected', 'failed', 'idle', 'closed'],
  failed: ['connecting', 'idle', 'closed'],
  closed: [],
};

/** Connection quality of a peer, from the health monitor. */
export type Quality = 'good' | 'fair' | 'poor';

/** Another member of the room, as the application sees it. */
export interface PeerInfo {
  id: string;
  name: string;
  /** The peer-to-peer link: `connecting`, `connected`, `reconnecting`. */
  state: LinkState;
  /** False while the peer's relay connection is down (its grace period). */
  online: boolean;
  quality: Quality | null;
}

export interface RoomOptions {
  /** Relay WebSocket URL, or several to try in turn. */
  relay: string | string[];
  /** Room id: 1–64 characters of [A-Za-z0-9_.-]. */
  room: string;
  /** Display name, unique in the room (case-insensitively). */
  name: string;
  /** Signed room token, when the relay requires one. */
  token?: string;
  /** ICE servers and policy for peer connections. Default: no STUN/TURN (host candidates only). */
  rtcConfig?: RTCConfiguration;
  /** Local audio/video to send to every peer. */
  localStream?: MediaStream | null;
  /** Refuse to join a room that already has this many members. Default 8. */
  maxPeers?: number;
  signaling?: Partial<SignalingTuning>;
  link?: Partial<LinkTuning>;
  messages?: Partial<MessageTuning>;
  // Injection seams (tests; defaults are the browser's).
  clock?: Clock;
  random?: () => number;
  WebSocket?: WebSocketConstructor;
  RTCPeerConnection?: typeof RTCPeerConnection;
  networkEvents?: EventTarget | null;
  visibility?: { target: EventTarget; visible(): boolean } | null;
  /** Source of `pagehide`/`pageshow` (default: `window` when present). */
  pageLifecycle?: EventTarget | null;
}

export interface RoomEventMap {
  /** The room's state changed. */
  'state-change': CustomEvent<StateChange<RoomState>>;
  /** A peer joined (or was found on joining). */
  'peer-join': CustomEvent<PeerInfo>;
  /** A peer left: `leave` (it said so), `timeout` (gone longer than the grace period) or `replaced`. */
  'peer-leave': CustomEvent<{ peer: PeerInfo; reason: string }>;
  /** A peer's link state, online flag or quality changed. */
  'peer-update': CustomEvent<PeerInfo>;
  /** A room message, delivered exactly once (own messages included, with `self: true`). */
  'message': CustomEvent<RoomMessage>;
  /** The relay stored one of our messages. */
  'acked': CustomEvent<{ id: string; n: number }>;
  /** The relay connection came back and catch-up finished. */
  'reconnected': CustomEvent<ReconnectReport>;
  /** Messages known to exist could not be recovered. */
  'messages-lost': CustomEvent<LostReport>;
  /** Something the application should know about (the room keeps working unless `failed`). */
  'error': CustomEvent<MeshError>;
}

interface Member extends MemberInfo {
  link: PeerLink | null;
  quality: Quality | null;
}

/**
 * A mesh room: the relay connection, one {@link PeerLink} per other member, and exactly-once room
 * messages. Survives relay restarts, signaling drops and peer-to-peer failures by itself.
 *
 * @example
 * const room = new Room({ relay: 'wss://example.org/ws', room: 'standup', name: 'Ada' });
 * room.addEventListener('message', (e) => console.log(e.detail.name, e.detail.data));
 * await room.join();
 * room.send({ text: 'hello' });
 * room.close();
 */
export class Room extends TypedEventTarget<RoomEventMap> {
  /** This peer's id: random, kept for the life of the object. */
  readonly selfId = randomId();
  readonly roomId: string;
  readonly clock: Clock;
  private readonly key = randomId();
  private readonly opts: RoomOptions;
  private readonly machine: StateMachine<RoomState>;
  private readonly exchange: MessageExchange;
  private readonly members = new Map<string, Member>();
  /** Names of everyone seen, including those who left (for messages in history). */
  private readonly names = new Map<string, string>();
  /** Members missing after the relay restarted, kept until they re-join or their grace ends. */
  private readonly absentTimers = new Map<string, Timer>();
  private signaling: SignalingClient | null = null;
  private session = randomId();
  private baseN = 0;
  private name: string;
  private epoch: string | null = null;
  /** The last welcome came from a relay that no longer knew our stream (it restarted). */
  private epochChanged = false;
  private welcome: WelcomeFrame | null = null;
  private firstSync = true;
  private replaying = false;
  private relayLimit: number = PROTOCOL_LIMITS.messageBytes;
  private graceMs = 30_000;
  private localStream: MediaStream | null;
  private joinWaiters: Array<{ resolve(): void; reject(e: MeshError): void }> = [];
  /** We left because the page was hidden for navigation; join again if it comes back from the cache. */
  private leftOnPageHide = false;
  private readonly lifecycle: EventTarget | null;
  private readonly onPageHide = () => {
    if (this.state === 'idle' || this.state === 'closed' || this.state === 'failed') return;
    // The page is going away (reload, navigation): say so, so the name is free at once.
    this.leftOnPageHide = true;
    this.leave();
  };
  private readonly onPageShow = (e: Event) => {
    if (!(e as PageTransitionEvent).persisted || !this.leftOnPageHide || this.state !== 'idle') return;
    this.leftOnPageHide = false;
    this.join().catch(() => {
      // Reported through 'error' and the failed state.
    });
  };

  constructor(options: RoomOptions) {
    super();
    if (!isValidRoomId(options.room)) throw new MeshError('invalid-room', `room id "${options.room}" must be 1–64 characters of [A-Za-z0-9_.-]`);
    const name = normalizeName(options.name);
    if (name === null) throw new MeshError('invalid-name', 'the name must be 1–64 printable characters');
    const urls = Array.isArray(options.relay) ? options.relay : [options.relay];
    if (urls.length === 0 || urls.some((u) => !/^wss?:\/\//.test(u))) {
      throw new MeshError('invalid-option', `relay must be a ws:// or wss:// URL, got ${JSON.stringify(options.relay)}`);
    }
    this.opts = options;
    this.roomId = options.room;
    this.name = name;
    this.clock = options.clock ?? systemClock;
    this.localStream = options.localStream ?? null;
    this.names.set(this.selfId, name);
    this.machine = new StateMachine<RoomState>('idle', ROOM_TRANSITIONS, (from, to, reason) => {
      this.emit('state-change', { from, to, reason });
    }, 'Room');
    this.exchange = new MessageExchange({
      selfId: this.selfId,
      clock: this.clock,
      nameOf: (id) => this.names.get(id) ?? id.slice(0, 8),
      isMember: (id) => this.members.has(id),
      isSynced: () => this.signaling?.state === 'connected',
      maxMessageBytes: () => this.relayLimit,
      sendDirect: (id, frame) => {
        const link = this.members.get(id)?.link;
        if (!link?.channelOpen) return false;
        link.send(frame);
        return true;
      },
      broadcastDirect: (frame, droppable) => {
        for (const m of this.members.values()) m.link?.send(frame, droppable);
      },
      sendViaRelay: (id, data) => this.signalTo(id, data),
      publish: (entry) => this.signaling?.publish(entry),
      awaitingMembers: () => this.absentTimers.size > 0,
      linkWasDownSince: (id, t) => {
        const link = this.members.get(id)?.link;
        return !link || link.state !== 'connected' || link.lastDownAt >= t;
      },
    }, options.messages);
    this.exchange.addEventListener('message', (e) => this.emit('message', e.detail));
    this.exchange.addEventListener('acked', (e) => this.emit('acked', e.detail));
    this.exchange.addEventListener('reconnected', (e) => this.emit('reconnected', e.detail));
    this.exchange.addEventListener('lost', (e) => this.emit('messages-lost', e.detail));
    this.lifecycle = options.pageLifecycle !== undefined ? options.pageLifecycle : (typeof window !== 'undefined' ? window : null);
    this.lifecycle?.addEventListener('pagehide', this.onPageHide);
    this.lifecycle?.addEventListener('pageshow', this.onPageShow);
  }

  get state(): RoomState { return this.machine.state; }
  /** This peer's display name (as normalised by the relay). */
  get selfName(): string { return this.name; }
  /** Other members, in join order. */
  get peers(): PeerInfo[] { return [...this.members.values()].map((m) => this.info(m)); }
  /** The last delivered messages (200 by default), oldest first. */
  get history(): readonly RoomMessage[] { return this.exchange.history; }
  /** Round trip to the relay, ms (null until measured). */
  get relayRtt(): number | null { return this.signaling?.rtt ?? null; }
  /** True while our message `id` waits for the relay to store it. */
  isPending(id: string): boolean {
    const [from, n] = id.split(':');
    return from === this.selfId && this.exchange.outbox.has(Number(n));
  }
  /** The link to one peer, for stats and media (advanced use). */
  linkTo(id: string): PeerLink | null { return this.members.get(id)?.link ?? null; }

  /**
   * Joins the room; resolves once admitted and caught up, rejects with a `MeshError` when the
   * relay refuses (name taken, room full, bad token) or cannot be reached at all.
   */
  join(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new MeshError('closed', 'this room was closed; create a new Room to join again'));
    const done = new Promise<void>((resolve, reject) => this.joinWaiters.push({ resolve, reject }));
    if (this.state === 'idle' || this.state === 'failed') this.startSignaling();
    else if (this.state === 'connected' || this.state === 'reconnecting') this.settleJoin(null);
    return done;
  }

  /** Leaves the room at once (others are told immediately). The room can join again later. */
  leave(): void {
    if (this.state === 'idle' || this.state === 'closed') return;
    this.signaling?.leave(this.session);
    this.teardownMembership();
    this.settleJoin(new MeshError('closed', 'left the room before the join completed'));
    this.machine.to('idle', 'left');
  }

  /** Leaves, closes every connection and timer, and makes the object unusable. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.leave();
    this.exchange.close();
    this.lifecycle?.removeEventListener('pagehide', this.onPageHide);
    this.lifecycle?.removeEventListener('pageshow', this.onPageShow);
    this.machine.to('closed', 'closed');
  }

  /**
   * Sends `data` (any JSON value) to everyone in the room and returns the message as delivered
   * locally. Durable by default: exactly once to every member, through any failure, in order.
   * With `{ durable: false }` it goes only over open data channels (for cursors, typing hints).
   */
  send(data: unknown, options: { durable?: boolean } = {}): RoomMessage {
    if (this.state === 'idle' || this.state === 'closed' || this.state === 'failed') {
      throw new MeshError('not-connected', `cannot send while the room is ${this.state}; call join() first`);
    }
    return this.exchange.send(data, options.durable ?? true);
  }

  /** Replaces the media sent to every peer (and to peers joining later). */
  setLocalStream(stream: MediaStream | null): void {
    this.localStream = stream;
    for (const m of this.members.values()) m.link?.setLocalStream(stream);
  }

  /** Sets a peer's quality (from the health monitor) and tells listeners when it changed. */
  setQuality(id: string, quality: Quality | null): void {
    const m = this.members.get(id);
    if (!m || m.quality === quality) return;
    m.quality = quality;
    this.emit('peer-update', this.info(m));
  }

  // -------------------------------------------------------------------------------------------
  // Relay connection

  private startSignaling(): void {
    this.session = randomId();
    this.firstSync = true;
    this.baseN = this.exchange.ackedN;
    const sc = new SignalingClient({
      urls: Array.isArray(this.opts.relay) ? this.opts.relay : [this.opts.relay],
      identity: () => ({
        room: this.roomId, peerId: this.selfId, key: this.key, session: this.session, name: this.name,
        baseN: this.baseN, ...(this.opts.token ? { token: this.opts.token } : {}),
      }),
      outbox: this.exchange.outbox,
      position: null,
      WebSocket: this.opts.WebSocket,
      clock: this.clock,
      random: this.opts.random,
      networkEvents: this.opts.networkEvents,
      visibility: this.opts.visibility,
      ...this.opts.signaling,
    });
    this.signaling = sc;
    sc.addEventListener('state-change', (e) => {
      if (e.detail.to === 'reconnecting') this.exchange.connectionLost();
      this.refreshState();
    });
    sc.addEventListener('welcome', (e) => this.onWelcome(e.detail));
    sc.addEventListener('synced', () => this.onSynced());
    sc.addEventListener('frame', (e) => this.onFrame(e.detail));
    sc.addEventListener('ack', (e) => this.exchange.acked(e.detail.n));
    sc.addEventListener('publish-rejected', (e) => this.emit('error', e.detail.error));
    sc.addEventListener('error', (e) => this.emit('error', e.detail));
    this.machine.to('connecting', 'join() called');
    sc.connect();
  }

  private onWelcome(w: WelcomeFrame): void {
    this.epochChanged = this.epoch !== null && this.epoch !== w.epoch;
    this.epoch = w.epoch;
    this.welcome = w;
    this.replaying = true;
    this.name = w.self.name;
    this.names.set(this.selfId, w.self.name);
    this.relayLimit = w.limits.messageBytes;
    this.graceMs = w.limits.graceMs;
    for (const m of w.members) this.names.set(m.id, m.name);
    if (!this.firstSync) {
      const since = this.signaling?.disconnectedAt ?? this.clock.now();
      this.exchange.connectionBack(Math.max(0, this.clock.now() - since), this.epochChanged);
      // Senders we never heard of joined while we were away: we are owed all their messages.
      for (const m of w.members) this.exchange.memberKnown(m.id, m.baseN, 0, false);
    }
  }

  private onSynced(): void {
    const w = this.welcome;
    if (!w) return;
    this.replaying = false;
    const fresh = this.firstSync;
    if (fresh && this.opts.maxPeers !== undefined && w.members.length + 1 > this.opts.maxPeers) {
      const err = new MeshError('room-full', `the room already has ${w.members.length} members; this page allows ${this.opts.maxPeers}`);
      this.emit('error', err);
      this.settleJoin(err);
      this.leave();
      return;
    }
    const epochChanged = !fresh && this.epochChanged;
    // The relay dropped us (grace expired) while keeping its memory: the others closed their
    // links to us, so ours are dead too. After a relay restart, nobody was told anything: keep them.
    const rebuildAll = !fresh && !w.resumed && !epochChanged;
    const listed = new Set<string>();
    for (const info of w.members) {
      listed.add(info.id);
      this.upsertMember(info, { initiate: true, rebuild: rebuildAll });
      this.exchange.memberKnown(info.id, info.baseN, info.lastN, fresh);
    }
    for (const m of [...this.members.values()]) {
      if (listed.has(m.id)) continue;
      if (epochChanged) this.awaitAbsent(m.id);
      else this.removeMember(m.id, 'leave');
    }
    this.firstSync = false;
    this.exchange.synced();
    for (const m of this.members.values()) m.link?.signalingRestored();
    this.refreshState();
    this.settleJoin(null);
  }

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'message':
        if (!this.names.has(f.from)) this.names.set(f.from, f.name);
        this.exchange.fromRelay(f.from, f.n, f.data, f.sentAt, this.replaying);
        return;
      case 'peer-joined':
        if (f.member.id === this.selfId) return;
        this.names.set(f.member.id, f.member.name);
        this.upsertMember(f.member, { initiate: false, rebuild: false });
        this.exchange.memberKnown(f.member.id, f.member.baseN, f.member.lastN, false);
        return;
      case 'peer-left': {
        const m = this.members.get(f.id);
        if (m && m.session === f.session) this.removeMember(f.id, f.reason);
        return;
      }
      case 'peer-status': {
        const m = this.members.get(f.id);
        if (!m) return;
        m.online = f.online;
        if (f.online) m.link?.signalingRestored();
        this.emit('peer-update', this.info(m));
        return;
      }
      case 'signal': {
        if (f.toSession !== this.session) return;
        const m = this.members.get(f.from);
        if (!m || m.session !== f.fromSession) return;
        if (f.data.kind === 'repair-request' || f.data.kind === 'repair-reply') this.exchange.fromRelaySignal(f.from, f.data);
        else m.link?.handleSignal(f.data);
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Members and links

  private upsertMember(info: MemberInfo, how: { initiate: boolean; rebuild: boolean }): void {
    this.absentTimers.get(info.id)?.clear();
    this.absentTimers.delete(info.id);
    const existing = this.members.get(info.id);
    if (existing && existing.session === info.session && !how.rebuild) {
      Object.assign(existing, { name: info.name, online: info.online, lastN: info.lastN });
      this.emit('peer-update', this.info(existing));
      return;
    }
    if (existing) {
      // A new session of a known peer (it left and joined again): a fresh link.
      existing.link?.close();
      Object.assign(existing, { ...info, link: this.createLink(info, how.initiate) });
      this.emit('peer-update', this.info(existing));
      return;
    }
    const member: Member = { ...info, link: null, quality: null };
    this.members.set(info.id, member);
    member.link = this.createLink(info, how.initiate);
    this.emit('peer-join', this.info(member));
  }

  private removeMember(id: string, reason: string): void {
    const m = this.members.get(id);
    if (!m) return;
    this.absentTimers.get(id)?.clear();
    this.absentTimers.delete(id);
    this.members.delete(id);
    m.link?.close();
    m.link = null;
    this.emit('peer-leave', { peer: this.info(m), reason });
    this.exchange.memberGone();
    this.refreshState();
  }

  /** After a relay restart, a member not (yet) back is kept for the grace period. */
  private awaitAbsent(id: string): void {
    if (this.absentTimers.has(id)) return;
    const timer = new Timer(this.clock);
    this.absentTimers.set(id, timer);
    timer.set(this.graceMs, () => this.removeMember(id, 'timeout'));
  }

  private createLink(info: MemberInfo, initiate: boolean): PeerLink {
    const link = new PeerLink({
      selfId: this.selfId,
      remoteId: info.id,
      initiate,
      signal: (data) => this.signalTo(info.id, data),
      rtcConfig: this.opts.rtcConfig,
      RTCPeerConnection: this.opts.RTCPeerConnection,
      clock: this.clock,
      random: this.opts.random,
      tuning: this.opts.link,
      localStream: this.localStream,
    });
    link.addEventListener('state-change', () => {
      const m = this.members.get(info.id);
      if (m?.link !== link) return;
      this.emit('peer-update', this.info(m));
      this.refreshState();
    });
    link.addEventListener('message', (e) => {
      const frame = parseChannelFrame(e.detail);
      if (frame && this.members.get(info.id)?.link === link) this.exchange.fromChannel(info.id, frame as ChannelFrame);
    });
    link.start();
    return link;
  }

  private signalTo(id: string, data: SignalData): boolean {
    const m = this.members.get(id);
    if (!m || !this.signaling) return false;
    return this.signaling.sendSignal(id, m.session, data);
  }

  private teardownMembership(): void {
    const sc = this.signaling;
    this.signaling = null;
    sc?.close('left the room');
    for (const t of this.absentTimers.values()) t.clear();
    this.absentTimers.clear();
    for (const m of this.members.values()) m.link?.close();
    const gone = [...this.members.values()];
    this.members.clear();
    for (const m of gone) this.emit('peer-leave', { peer: this.info(m), reason: 'leave' });
    this.welcome = null;
  }

  private info(m: Member): PeerInfo {
    return { id: m.id, name: m.name, state: m.link?.state ?? 'closed', online: m.online, quality: m.quality };
  }

  // -------------------------------------------------------------------------------------------
  // State

  /** Derives the room state from the relay connection and the links. */
  private refreshState(): void {
    const sc = this.signaling;
    if (!sc || this.state === 'closed' || this.state === 'idle') return;
    let next: RoomState;
    switch (sc.state) {
      case 'failed': next = 'failed'; break;
      case 'idle':
      case 'connecting': next = 'connecting'; break;
      case 'reconnecting': next = 'reconnecting'; break;
      case 'connected': {
        const recovering = [...this.members.values()].some((m) => m.link?.state === 'reconnecting');
        next = recovering ? 'reconnecting' : 'connected';
        break;
      }
      default: return;
    }
    if (next === 'failed') {
      const error = sc.lastError ?? new MeshError('signaling-failed');
      this.teardownMembership();
      this.machine.to('failed', error.message);
      this.settleJoin(error);
      return;
    }
    this.machine.to(next, `relay ${sc.state}`);
  }

  private settleJoin(error: MeshError | null): void {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }
}
