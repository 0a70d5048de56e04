import { systemClock, type Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import { FileTransfers } from '../files/file-transfers.js';
import type { FileTransfer } from '../files/file-types.js';
import { randomId } from '../base/ids.js';
import type { LocalMedia } from '../media/local-media.js';
import { MessageExchange, type RoomMessage } from '../delivery/message-exchange.js';
import type { PeerLink } from '../link/peer-link.js';
import { PROTOCOL_LIMITS, type ServerFrame, type WelcomeFrame } from '../protocol.js';
import { checkRoomOptions } from './room-options.js';
import { IceServerFeed } from '../link/ice-servers.js';
import { PageLifecycle } from './page-lifecycle.js';
import { postAsMember, relayHttpUrl } from './relay-http.js';
import { RoomMedia } from '../media/room-media.js';
import type { RecordingOptions } from '../recording/room-recorder.js';
import { RoomRecording } from '../recording/room-recording.js';
import { exchangeMemberSide, RoomMembers } from './room-members.js';
import { ROOM_TRANSITIONS, type PeerInfo, type RoomEventMap, type RoomOptions, type RoomState } from './room-types.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { openSignaling } from './room-signaling.js';
import { StateMachine } from '../base/state-machine.js';
import { TypedEventTarget } from '../base/typed-event-target.js';

export { ROOM_TRANSITIONS, type PeerInfo, type RoomEventMap, type RoomOptions, type RoomState, type Quality } from './room-types.js';

/**
 * A mesh room: the relay connection, one {@link PeerLink} per other member, exactly-once room
 * messages, and (optionally) audio and video with health monitoring. Survives relay restarts,
 * signaling drops and peer-to-peer failures by itself.
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
  readonly #key = randomId();
  readonly #opts: RoomOptions;
  readonly #machine: StateMachine<RoomState>;
  readonly #exchange: MessageExchange;
  readonly #media: RoomMedia;
  readonly #members: RoomMembers;
  readonly #files: FileTransfers;
  readonly #recordings: RoomRecording;
  readonly #ice: IceServerFeed;
  #token: string | undefined;
  #signaling: SignalingClient | null = null;
  #session = randomId();
  #baseN = 0;
  #name: string;
  #epoch: string | null = null;
  /** The last welcome came from a relay that no longer knew our stream (it restarted). */
  #epochChanged = false;
  #welcome: WelcomeFrame | null = null;
  #firstSync = true;
  #replaying = false;
  #relayLimit: number = PROTOCOL_LIMITS.messageBytes;
  #graceMs = 30_000;
  #joinWaiters: Array<{ resolve(): void; reject(e: MeshError): void }> = [];
  readonly #lifecycle: PageLifecycle;

  constructor(options: RoomOptions) {
    super();
    const name = checkRoomOptions(options);
    this.#opts = options;
    this.roomId = options.room;
    this.#name = name;
    this.clock = options.clock ?? systemClock;
    this.#token = options.token;
    this.#ice = new IceServerFeed({
      clock: this.clock,
      base: options.rtcConfig,
      fetch: options.fetch,
      onUpdate: (config) => {
        for (const [, link] of this.#members.links()) void link.updateIceServers(config);
      },
      onError: (e) => this.emit('error', e),
    });
    this.#machine = new StateMachine<RoomState>('idle', ROOM_TRANSITIONS, (from, to, reason) => {
      this.emit('state-change', { from, to, reason });
    }, 'Room');
    this.#exchange = new MessageExchange({
      selfId: this.selfId,
      clock: this.clock,
      ...exchangeMemberSide(() => this.#members),
      isSynced: () => this.#signaling?.state === 'connected',
      maxMessageBytes: () => this.#relayLimit,
      sendViaRelay: (id, data) => {
        const session = this.#members.session(id);
        return !!session && !!this.#signaling?.sendSignal(id, session, data);
      },
      publish: () => this.#signaling?.publish(),
    }, options.messages);
    this.#media = new RoomMedia({
      clock: this.clock,
      selfId: this.selfId,
      links: () => this.#members.links(),
      peerChanged: (id) => {
        const peer = this.#members.peer(id);
        if (peer) this.emit('peer-update', peer);
      },
      error: (e) => this.emit('error', e),
      // Advisory and best effort: POST /rooms/:id/quality on the relay.
      reportQuality: (body) => postAsMember(this.#opts.fetch, this.#relayHttp(`rooms/${encodeURIComponent(this.roomId)}/quality`), this.#key, { peer: this.selfId, ...body }),
    }, options);
    this.#files = new FileTransfers(this.clock, options.files);
    this.forward(this.#files, { 'file-offer': 'file-offer', 'file-update': 'file-update', 'file-received': 'file-received' });
    this.#members = new RoomMembers({
      selfId: this.selfId,
      clock: this.clock,
      options,
      media: this.#media,
      exchange: this.#exchange,
      files: this.#files,
      rtcConfig: () => this.#ice.config(),
      signal: (to, session, data) => !!this.#signaling?.sendSignal(to, session, data),
      joined: (peer) => this.emit('peer-join', peer),
      left: (peer, reason) => {
        this.emit('peer-leave', { peer, reason });
        this.#exchange.memberGone();
        this.#refreshState();
      },
      updated: (peer) => {
        this.emit('peer-update', peer);
        this.#refreshState();
      },
    });
    this.#members.names.set(this.selfId, name);
    this.#recordings = new RoomRecording({
      self: () => ({ id: this.selfId, name: this.#name, stream: this.#media.local?.stream ?? null }),
      peers: () => this.#members.peers(),
      inRoom: () => this.#inRoom(),
      announce: (on) => this.#media.setRecording(on),
      changed: (detail) => this.emit('recording', detail),
      error: (e) => this.emit('error', e),
    });
    this.forward(this.#exchange, { message: 'message', acked: 'acked', reconnected: 'reconnected', lost: 'messages-lost' });
    this.#lifecycle = new PageLifecycle(options.pageLifecycle !== undefined ? options.pageLifecycle : (typeof window !== 'undefined' ? window : null), {
      active: () => this.state !== 'idle' && this.state !== 'closed' && this.state !== 'failed',
      leave: () => this.leave(),
      rejoin: () => {
        if (this.state === 'idle') this.join().catch(() => { /* reported through 'error' and the failed state */ });
      },
    });
  }

  get state(): RoomState { return this.#machine.state; }
  /** This peer's display name (as normalised by the relay). */
  get selfName(): string { return this.#name; }
  /** Other members, in join order. */
  get peers(): PeerInfo[] { return this.#members.peers(); }
  /** The last delivered messages (200 by default), oldest first. */
  get history(): readonly RoomMessage[] { return this.#exchange.history; }
  /** Round trip to the relay, ms (null until measured). */
  get relayRtt(): number | null { return this.#signaling?.rtt ?? null; }
  /** True while our message `id` waits for the relay to store it. */
  isPending(id: string): boolean { return this.#exchange.isPending(id); }
  /**
   * Replaces the room token for the next joins and resumes (tokens expire; a page can fetch a new
   * one and hand it over without leaving).
   */
  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /** Our microphone/camera/screen (null without media, or when the devices could not be used). */
  get localMedia(): LocalMedia | null { return this.#media.local; }
  /** The link to one peer, for stats and media (advanced use). */
  linkTo(id: string): PeerLink | null { return this.#members.link(id); }

  /**
   * Joins the room; resolves once admitted and caught up, rejects with a `MeshError` when the
   * relay refuses (name taken, room full, bad token) or cannot be reached at all.
   */
  join(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new MeshError('closed', 'this room was closed; create a new Room to join again'));
    const done = new Promise<void>((resolve, reject) => this.#joinWaiters.push({ resolve, reject }));
    if (this.state === 'idle' || this.state === 'failed') {
      this.#machine.to('connecting', 'join() called');
      // Devices first (a denied camera is reported; the room still joins for chat).
      void this.#media.start().then(() => {
        if (this.state !== 'connecting' || this.#signaling) return;
        this.#media.local?.addEventListener('change', (e) => this.emit('local-media', e.detail));
        this.#startSignaling();
      });
    } else if (this.state === 'connected' || this.state === 'reconnecting') {
      this.#settleJoin(null);
    }
    return done;
  }

  /** Leaves the room at once (others are told immediately). The room can join again later. */
  leave(): void {
    if (this.state === 'idle' || this.state === 'closed') return;
    this.#files.leaveAll();
    void this.#recordings.stop().catch(() => { /* reported through 'error' */ });
    this.#signaling?.leave(this.#session);
    this.#teardownMembership();
    this.#media.stopLocal();
    this.#settleJoin(new MeshError('closed', 'left the room before the join completed'));
    this.#machine.to('idle', 'left');
  }

  /** Leaves, closes every connection and timer, and makes the object unusable. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.leave();
    this.#exchange.close();
    this.#media.close();
    this.#ice.close();
    this.#lifecycle.close();
    this.#machine.to('closed', 'closed');
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
    return this.#exchange.send(data, options.durable ?? true);
  }

  /**
   * Offers a file to everyone in the room, or to the members in `to`; returns the file's id.
   * The file is read a chunk at a time and streamed peer to peer (never through the relay);
   * follow it with `file-update` events. Throws `file-too-large` above `files.maxFileBytes`.
   */
  sendFile(file: Blob, options: { to?: string | string[]; name?: string } = {}): string {
    if (!this.#inRoom()) throw new MeshError('not-connected', `cannot send a file while the room is ${this.state}; call join() first`);
    const to = options.to === undefined ? this.#members.ids() : ([] as string[]).concat(options.to).filter((id) => this.#members.has(id));
    const name = options.name ?? (file as Partial<File>).name ?? 'file';
    return this.#files.send(file, name, to);
  }

  /** Accepts an offered file. */
  acceptFile(id: string): void { this.#files.accept(id); }
  /** Declines an offered file; the sender sees `file-rejected`. */
  rejectFile(id: string): void { this.#files.reject(id); }
  /** Stops a transfer from either side (the other side sees `file-cancelled`). */
  cancelFile(id: string): void { this.#files.cancel(id); }
  /** Every file transfer of this room, both directions. */
  get transfers(): FileTransfer[] { return this.#files.all; }
  /** A received, verified file (null until then). */
  fileBlob(id: string): Blob | null { return this.#files.blob(id); }

  /** True while this member records the room. */
  get recording(): boolean { return this.#recordings.active; }

  /**
   * Records the room locally: every member's video composed into a grid, all audio mixed, as
   * WebM. Everyone in the room is told (`peer-update` with `recording: true`). Rejects with
   * `recording-unsupported` where the browser cannot record. Stops by itself on leave. Call it
   * from a click, so the browser lets the page mix audio (the `recording` event says whether).
   */
  startRecording(options?: RecordingOptions): Promise<void> {
    if (!this.#inRoom()) return Promise.reject(new MeshError('not-connected', `cannot record while the room is ${this.state}`));
    return this.#recordings.start(options);
  }

  /** Stops recording; resolves with the WebM file (null when not recording). */
  stopRecording(): Promise<Blob | null> { return this.#recordings.stop(); }

  #inRoom(): boolean { return this.state === 'connected' || this.state === 'reconnecting'; }

  // -------------------------------------------------------------------------------------------
  // Relay connection

  #startSignaling(): void {
    this.#session = randomId();
    this.#firstSync = true;
    this.#baseN = this.#exchange.ackedN;
    const identity = () => ({
      room: this.roomId, peerId: this.selfId, key: this.#key, session: this.#session, name: this.#name,
      baseN: this.#baseN, ...(this.#token ? { token: this.#token } : {}),
    });
    this.#signaling = openSignaling(this.#opts, this.clock, identity, this.#exchange.outbox, {
      state: ({ from, to }) => {
        if (to === 'reconnecting') {
          this.#exchange.connectionLost();
          this.emit('relay-status', { reachable: false });
        } else if (to === 'connected' && from === 'reconnecting') {
          this.emit('relay-status', { reachable: true });
        }
        this.#refreshState();
      },
      welcome: (w) => this.#onWelcome(w),
      synced: () => this.#onSynced(),
      frame: (f) => this.#onFrame(f),
      ack: (n) => this.#exchange.acked(n),
      error: (e) => this.emit('error', e),
    });
    this.#signaling.connect();
  }

  #onWelcome(w: WelcomeFrame): void {
    this.#epochChanged = this.#epoch !== null && this.#epoch !== w.epoch;
    this.#epoch = w.epoch;
    this.#welcome = w;
    this.#replaying = true;
    this.#name = w.self.name;
    this.#members.names.set(this.selfId, w.self.name);
    this.#relayLimit = w.limits.messageBytes;
    this.#graceMs = w.limits.graceMs;
    const turnUrl = this.#relayHttp(`turn-credentials?room=${encodeURIComponent(this.roomId)}&peer=${encodeURIComponent(this.selfId)}`);
    if (turnUrl) this.#ice.fromWelcome(w.iceServers, w.iceTtlSeconds, turnUrl, this.#key);
    for (const m of w.members) this.#members.names.set(m.id, m.name);
    if (!this.#firstSync) {
      const since = this.#signaling?.disconnectedAt ?? this.clock.now();
      this.#exchange.connectionBack(Math.max(0, this.clock.now() - since), this.#epochChanged);
      // Senders we never heard of joined while we were away: we are owed all their messages.
      for (const m of w.members) this.#exchange.memberKnown(m.id, m.baseN, 0, false);
    }
  }

  #onSynced(): void {
    const w = this.#welcome;
    if (!w) return;
    this.#replaying = false;
    const fresh = this.#firstSync;
    if (fresh && this.#opts.maxPeers !== undefined && w.members.length + 1 > this.#opts.maxPeers) {
      const err = new MeshError('room-full', `the room already has ${w.members.length} members; this page allows ${this.#opts.maxPeers}`);
      this.emit('error', err);
      this.#settleJoin(err);
      this.leave();
      return;
    }
    this.#members.reconcile(w.members, { fresh, resumed: w.resumed, epochChanged: !fresh && this.#epochChanged, graceMs: this.#graceMs });
    this.#firstSync = false;
    this.#exchange.synced();
    for (const [, link] of this.#members.links()) link.signalingRestored();
    this.#refreshState();
    this.#settleJoin(null);
  }

  #onFrame(f: ServerFrame): void {
    if (f.type !== 'message') return this.#members.fromRelay(f, this.#session);
    if (!this.#members.names.has(f.from)) this.#members.names.set(f.from, f.name);
    this.#exchange.fromRelay(f.from, f.n, f.data, f.sentAt, this.#replaying);
  }

  #teardownMembership(): void {
    const sc = this.#signaling;
    this.#signaling = null;
    sc?.close('left the room');
    this.#members.clear();
    this.#welcome = null;
  }

  /** An HTTP URL on the relay we are connected to (`path` relative to its root), or null. */
  #relayHttp(path: string): string | null {
    const ws = this.#signaling?.url;
    return ws ? relayHttpUrl(ws, path) : null;
  }

  // -------------------------------------------------------------------------------------------
  // State

  /** Derives the room state from the relay connection and the links. */
  #refreshState(): void {
    const sc = this.#signaling;
    if (!sc || this.state === 'closed' || this.state === 'idle') return;
    let next: RoomState;
    switch (sc.state) {
      case 'failed': next = 'failed'; break;
      case 'idle':
      case 'connecting': next = 'connecting'; break;
      case 'reconnecting': next = 'reconnecting'; break;
      case 'connected': {
        const recovering = this.#members.links().some(([, link]) => link.state === 'reconnecting');
        next = recovering ? 'reconnecting' : 'connected';
        break;
      }
      default: return;
    }
    if (next === 'failed') {
      const error = sc.lastError ?? new MeshError('signaling-failed');
      this.#teardownMembership();
      this.#machine.to('failed', error.message);
      this.#settleJoin(error);
      return;
    }
    this.#machine.to(next, `relay ${sc.state}`);
  }

  #settleJoin(error: MeshError | null): void {
    const waiters = this.#joinWaiters;
    this.#joinWaiters = [];
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }
}
