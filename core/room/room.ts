import { systemClock, type Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import { randomId } from '../base/ids.js';
import { StateMachine } from '../base/state-machine.js';
import { TypedEventTarget } from '../base/typed-event-target.js';
import { MessageExchange, type RoomMessage } from '../delivery/message-exchange.js';
import { IceServerFeed } from '../link/ice-servers.js';
import type { PeerLink } from '../link/peer-link.js';
import { PROTOCOL_LIMITS } from '../protocol.js';
import { EarlyFileFrames } from './early-file-frames.js';
import type { FeatureLoaders, FeatureMap, FilesFeature } from './feature.js';
import { FeatureSlots } from './feature-slots.js';
import { featureHost } from './feature-host.js';
import { PageLifecycle } from './page-lifecycle.js';
import { PeerStates } from './peer-state.js';
import { postAsMember, relayHttpUrl } from './relay-http.js';
import { routeRelayFrame } from './relay-frames.js';
import { synced, welcomed, type AdmittedRoom } from './relay-admission.js';
import { RelaySession } from './relay-session.js';
import { HealthWatch } from './health-watch.js';
import { RoomMembers } from './room-members.js';
import { Topology } from './topology.js';
import { checkRoomOptions, wantsMedia } from './room-options.js';
import { ROOM_TRANSITIONS, roomStateFor, type PeerInfo, type RoomEventMap, type RoomOptions, type RoomState } from './room-types.js';

export { ROOM_TRANSITIONS, type PeerInfo, type RoomEventMap, type RoomOptions, type RoomState, type Quality } from './room-types.js';

/**
 * The room kernel: membership, the relay session, one {@link PeerLink} per other member,
 * exactly-once room messages and link health. Media, files and recording are features,
 * installed the first time they are used from the `features` loaders (see `core/room.ts` for
 * the `Room` the package exports, which has them all); the kernel never imports one.
 */
export class RoomKernel extends TypedEventTarget<RoomEventMap> {
  /** This peer's id: random, kept for the life of the object. */
  readonly selfId = randomId();
  readonly roomId: string;
  readonly clock: Clock;
  readonly #key = randomId();
  readonly #opts: RoomOptions;
  readonly #machine: StateMachine<RoomState>;
  readonly #members: RoomMembers;
  readonly #delivery: MessageExchange;
  readonly #peers = new PeerStates();
  /** Link health, loaded with the first connected link. */
  readonly #health: HealthWatch;
  readonly #features: FeatureSlots;
  readonly #early: EarlyFileFrames;
  readonly #ice: IceServerFeed;
  readonly #lifecycle: PageLifecycle;
  #token: string | undefined;
  #name: string;
  /** Our membership at the relay, from join to leave. */
  #relay: RelaySession | null = null;
  #joinWaiters: Array<(error: MeshError | null) => void> = [];
  /** What the relay's admissions update. */
  readonly #admitted: AdmittedRoom;
  /** Where media goes: the links, or the relay's SFU. */
  readonly #topology: Topology;

  constructor(options: RoomOptions, features: FeatureLoaders = {}) {
    super();
    this.#name = checkRoomOptions(options);
    this.#opts = options;
    this.#topology = new Topology(options.mode ?? 'auto', () => this.#movedToSfu(), (e) => this.emit('error', e), options.meshLimit);
    this.roomId = options.room;
    this.clock = options.clock ?? systemClock;
    this.#token = options.token;
    this.#machine = new StateMachine<RoomState>('idle', ROOM_TRANSITIONS, (from, to, reason) => this.emit('state-change', { from, to, reason }), 'Room');
    this.#ice = new IceServerFeed({
      clock: this.clock,
      base: options.rtcConfig,
      fetch: options.fetch,
      onUpdate: (config) => {
        for (const [, link] of this.#members.links()) void link.updateIceServers(config);
      },
      onError: (e) => this.emit('error', e),
    });
    this.#members = new RoomMembers({
      selfId: this.selfId,
      clock: this.clock,
      options,
      rtcConfig: () => this.#ice.config(),
      // In SFU mode media goes through the SFU: links carry messages and files only.
      tracks: (pc) => (this.#topology.transport === 'sfu' ? null : this.#features.get('media')?.tracks(pc) ?? null),
      signal: (to, session, data) => !!this.#relay?.signal(to, session, data),
      linked: (id, link) => this.#linked(id, link),
      peerRates: () => ({ frames: this.#delivery.tuning.peerFrames, repairs: this.#delivery.tuning.peerRepairs }),
      frame: (id, f) => {
        if (f.t === 'relay-up') return this.#relay?.client.relayIsBack();
        if (f.t !== 'media') return this.#delivery.fromChannel(id, f);
        this.#peers.set(id, { media: { audio: f.audio, video: f.video, screen: f.screen }, recording: f.recording });
        this.#peerChanged(id);
        if (f.sfu) this.#topology.peerOnSfu();
      },
      extras: (id) => ({ ...this.#peers.of(id), transport: this.#topology.transport }),
      joined: (peer) => {
        this.emit('peer-join', peer);
        this.#topology.size(this.#members.peers().length + 1);
      },
      left: (peer, reason) => this.#left(peer, reason),
      updated: (peer) => {
        this.emit('peer-update', peer);
        this.#refreshState();
      },
    });
    this.#members.names.set(this.selfId, this.#name);
    this.#delivery = new MessageExchange({
      selfId: this.selfId,
      direct: this.#members,
      members: this.#members,
      relay: {
        synced: () => !!this.#relay?.synced,
        maxMessageBytes: () => this.#relay?.maxMessageBytes ?? PROTOCOL_LIMITS.messageBytes,
        publish: () => this.#relay?.publish(),
        signal: (id, data) => {
          const session = this.#members.session(id);
          return !!session && !!this.#relay?.signal(id, session, data);
        },
      },
    }, this.clock, options.messages);
    this.#admitted = {
      roomId: this.roomId, selfId: this.selfId, clock: this.clock, members: this.#members, delivery: this.#delivery, ice: this.#ice, key: this.#key,
      relayHttp: (path) => {
        const ws = this.#relay?.client.url;
        return ws ? relayHttpUrl(ws, path) : null;
      },
    };
    this.#health = new HealthWatch({
      clock: this.clock,
      options,
      links: () => this.#members.links(),
      sample: (id, metrics, quality, link) => {
        // In SFU mode a peer's figures are its subscription's (the SFU feature's), once it has one.
        if (!this.#features.get('sfu')?.connectionOf(id) && this.#peers.set(id, { metrics: { ...metrics, stalled: this.#peers.of(id).stall?.kinds ?? [] }, quality })) this.#peerChanged(id);
        this.#features.each((f) => f.health?.(id, quality, link));
      },
      // Advisory and best effort: POST /rooms/:id/quality on the relay.
      report: (body) => void postAsMember(options.fetch, this.#admitted.relayHttp(`rooms/${encodeURIComponent(this.roomId)}/quality`), this.#key, { peer: this.selfId, ...body }),
    }, (e) => this.emit('error', e));
    this.forward(this.#delivery, { message: 'message', acked: 'acked', reconnected: 'reconnected', lost: 'messages-lost' });
    const room = this;
    this.#features = new FeatureSlots(featureHost({
      selfId: this.selfId, clock: this.clock, options, members: this.#members, peers: this.#peers, ice: this.#ice, topology: this.#topology,
      name: () => this.#name,
      features: () => this.#features,
      relay: () => this.#relay,
      inRoom: () => this.#inRoom(),
      peerChanged: (id) => this.#peerChanged(id),
      emit: (type, detail) => room.emit(type, detail),
    }), features);
    this.#early = new EarlyFileFrames((id) => this.#members.link(id), () => {
      this.#useFiles().catch((e: MeshError) => {
        this.#early.clear();
        this.emit('error', e);
      });
    });
    this.#lifecycle = new PageLifecycle(options.pageLifecycle !== undefined ? options.pageLifecycle : (typeof window !== 'undefined' ? window : null), {
      active: () => this.state !== 'idle' && this.state !== 'closed' && this.state !== 'failed',
      leave: () => this.leave(),
      rejoin: () => {
        if (this.state === 'idle') this.join().catch(() => { /* reported through 'error' and the failed state */ });
      },
    });
    // A call fetches its media part now, while the page is still setting up, not after join() (and the SFU part in SFU mode).
    if (wantsMedia(options)) this.#features.use('media').catch(() => { /* reported when join() needs it */ });
    if (options.mode === 'sfu') this.#features.use('sfu').catch(() => { /* reported when the room needs it */ });
  }

  get state(): RoomState { return this.#machine.state; }
  /** This peer's display name (as normalised by the relay). */
  get selfName(): string { return this.#name; }
  /** Other members, in join order. */
  get peers(): PeerInfo[] { return this.#members.peers(); }
  /** The last delivered messages (200 by default), oldest first. */
  get history(): readonly RoomMessage[] { return this.#delivery.history; }
  /** Round trip to the relay, ms (null until measured). */
  get relayRtt(): number | null { return this.#relay?.client.rtt ?? null; }
  /** True while our message `id` waits for the relay to store it. */
  isPending(id: string): boolean { return this.#delivery.isPending(id); }
  /**
   * Replaces the room token for the next joins and resumes (tokens expire; a page can fetch a new
   * one and hand it over without leaving).
   */
  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /** The link to one peer, for stats and media (advanced use). */
  linkTo(id: string): PeerLink | null { return this.#members.link(id); }

  /**
   * What the room refused or held back from one peer's direct frames (diagnostics and tests):
   * frames admitted and refused by its rate limit, and messages dropped for running too far ahead.
   */
  peerInput(id: string): { admitted: number; refused: number; tooFarAhead: number } | null {
    const limit = this.#members.frameLimit(id);
    return limit && { admitted: limit.admitted, refused: limit.refused, tooFarAhead: this.#delivery.inbox.tooFarAhead };
  }

  /**
   * Joins the room; resolves once admitted and caught up, rejects with a `MeshError` when the
   * relay refuses (name taken, room full, bad token) or cannot be reached at all.
   */
  join(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new MeshError('closed', 'this room was closed; create a new Room to join again'));
    const done = new Promise<void>((resolve, reject) => this.#joinWaiters.push((e) => (e ? reject(e) : resolve())));
    if (this.state === 'idle' || this.state === 'failed') {
      this.#machine.to('connecting', 'join() called');
      // Devices first (a denied camera is reported; the room still joins for chat).
      void this.#startMedia().then(() => {
        if (this.state !== 'connecting' || this.#relay) return;
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
    this.#features.each((f) => f.leave?.());
    this.#relay?.leave();
    this.#teardownMembership();
    this.#settleJoin(new MeshError('closed', 'left the room before the join completed'));
    this.#machine.to('idle', 'left');
  }

  /** Leaves, closes every connection and timer, and makes the object unusable. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.leave();
    this.#delivery.close();
    this.#features.each((f) => f.close?.());
    this.#health.close();
    this.#early.clear();
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
    if (!this.#inRoom() && this.state !== 'connecting') {
      throw new MeshError('not-connected', `cannot send while the room is ${this.state}; call join() first`);
    }
    return this.#delivery.send(data, options.durable ?? true);
  }

  /** The feature `name` if it is installed (it is after its first use). */
  protected feature<K extends keyof FeatureMap>(name: K): FeatureMap[K] | undefined {
    return this.#features.get(name);
  }

  /** The feature `name`, loaded and installed on first use. */
  protected useFeature<K extends keyof FeatureMap>(name: K): Promise<FeatureMap[K]> {
    return name === 'files' ? this.#useFiles() as Promise<FeatureMap[K]> : this.#features.use(name);
  }

  /** Joined (possibly healing). */
  protected get inRoom(): boolean { return this.#inRoom(); }

  /** The options the room was made with. */
  protected get options(): RoomOptions { return this.#opts; }

  #inRoom(): boolean { return this.state === 'connected' || this.state === 'reconnecting'; }

  /** The files feature, installed on first use; frames that came before it are handed over. */
  #useFiles(): Promise<FilesFeature> {
    return this.#features.use('files').then((files) => {
      this.#early.replay(files);
      return files;
    });
  }

  /** Our devices, when the room sends media; a failure is reported and the room goes on without. */
  #startMedia(): Promise<void> {
    return wantsMedia(this.#opts) ? this.#features.use('media').then((m) => m.start()).catch((e: MeshError) => this.emit('error', e)) : Promise.resolve();
  }

  /** Wires a new link to the room's parts, before it starts. */
  #linked(id: string, link: PeerLink): void {
    link.addEventListener('track', (e) => {
      if (this.#members.link(id) !== link || this.#topology.transport === 'sfu') return;
      // Incoming media is watched for stalls by the media feature, also on a member that sends none.
      this.#features.use('media').catch(() => {});
      if (this.#peers.set(id, { stream: e.detail.streams[0] ?? new MediaStream([e.detail.track]) })) this.#peerChanged(id);
    });
    link.addEventListener('state-change', (e) => {
      if (e.detail.to !== 'connected') return;
      this.#peers.announceTo(link);
      this.#health.start();
    });
    link.addEventListener('file-frame', (e) => this.#features.get('files') || this.#early.hold(id, link, e.detail));
    this.#features.link(id, link);
  }

  #left(peer: PeerInfo, reason: string): void {
    this.#peers.forget(peer.id);
    this.#health.forget(peer.id);
    this.#features.each((f) => f.unlink?.(peer.id));
    this.emit('peer-leave', { peer, reason });
    this.#delivery.memberGone();
    this.#refreshState();
  }

  #peerChanged(id: string): void {
    const peer = this.#members.peer(id);
    if (peer) this.emit('peer-update', peer);
  }

  // -------------------------------------------------------------------------------------------
  // Relay session

  #startSignaling(): void {
    const baseN = this.#delivery.ackedN;
    const identity = () => ({ room: this.roomId, peerId: this.selfId, key: this.#key, name: this.#name, baseN, ...(this.#token ? { token: this.#token } : {}) });
    const relay = new RelaySession(this.#opts, this.clock, identity, this.#delivery.outbox, {
      state: ({ from, to }) => {
        if (to === 'reconnecting') {
          this.#delivery.connectionLost();
          this.emit('relay-status', { reachable: false });
        } else if (to === 'connected' && from === 'reconnecting') {
          this.emit('relay-status', { reachable: true });
          // Peers that lost the relay with us may still be waiting out their backoff.
          this.#members.broadcast({ t: 'relay-up' }, true);
        }
        this.#refreshState();
      },
      welcome: (w, how) => {
        this.#name = w.self.name;
        this.#topology.welcome(w.sfu, w.members.length + 1);
        welcomed(this.#admitted, relay, w, how);
      },
      synced: (w, how) => {
        // A room that can move to the SFU is limited by the relay (--max-members), not by a mesh size.
        const full = synced(this.#admitted, relay, w, how, this.#topology.sfuPossible ? undefined : this.#opts.maxPeers);
        if (full) this.emit('error', full);
        else this.#refreshState();
        this.#settleJoin(full);
        if (full) this.leave();
        else if (this.#topology.transport === 'sfu') this.#startSfu();
      },
      frame: (f, replaying) => (f.type === 'sfu' ? this.#features.get('sfu')?.fromRelay(f) : routeRelayFrame(f, { selfId: this.selfId, session: relay.id, members: this.#members, delivery: this.#delivery, replaying })),
      ack: (n) => this.#delivery.acked(n),
      rejected: (n) => this.#delivery.rejected(n),
      error: (e) => this.emit('error', e),
    });
    this.#relay = relay;
    relay.connect();
  }

  #teardownMembership(): void {
    const relay = this.#relay;
    this.#relay = null;
    relay?.close('left the room');
    this.#members.clear();
    this.#topology.reset();
    this.#peers.announce({ sfu: false }, []);
  }

  /** The room's media moved to the SFU: link streams dropped, links stop sending, the SFU takes over once joined. */
  #movedToSfu(): void {
    for (const p of this.#members.peers()) if (this.#peers.set(p.id, { stream: null })) this.#peerChanged(p.id);
    this.#features.each((f) => f.transport?.('sfu'));
    if (this.#relay?.synced) this.#startSfu();
  }

  /** Tells the peers our media goes through the SFU, and publishes and subscribes there. */
  #startSfu(): void {
    this.#peers.announce({ sfu: true }, this.#members.links());
    this.#features.use('sfu').then((f) => this.#inRoom() && f.start(), (e: MeshError) => this.emit('error', e));
  }

  /** Derives the room state from the relay connection and the links. */
  #refreshState(): void {
    const sc = this.#relay?.client;
    if (!sc || this.state === 'closed' || this.state === 'idle') return;
    const next = roomStateFor(sc.state, this.#members.links().some(([, link]) => link.state === 'reconnecting'));
    if (!next) return;
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
    for (const settle of this.#joinWaiters.splice(0)) settle(error);
  }
}
