import { backoffDelay } from '../base/backoff.js';
import { pathIsRelayed } from './ice-servers.js';
import { systemClock, Timer, type Clock } from '../base/clock.js';
import { LinkChannels } from './link-channels.js';
import { Negotiator, type GlareCounts } from './negotiator.js';
import type { SignalData } from '../protocol.js';
import { SendQueue } from './send-queue.js';
import { StateMachine } from '../base/state-machine.js';
import { LinkHeartbeat } from './link-heartbeat.js';
import { DEFAULT_LINK_TUNING, LINK_TRANSITIONS, type LinkEventMap, type LinkState, type LinkTracks, type LinkTuning, type PeerLinkOptions, type Recovery } from './link-types.js';
import { TypedEventTarget } from '../base/typed-event-target.js';

export { LINK_TRANSITIONS, DEFAULT_LINK_TUNING, type LinkState, type LinkTuning, type PeerLinkOptions, type LinkTracks, type LinkEventMap, type Recovery } from './link-types.js';

/**
 * One `RTCPeerConnection` and its data channel with one remote peer.
 *
 * **Negotiation** is perfect negotiation (see {@link Negotiator}); the peer with the smaller id
 * is polite. One exception: when both sides open a connection of the same generation at once, the
 * polite side does not roll back the first offer of its new connection (Chromium then now and then
 * gathers no candidates for the answer); it replaces that connection with one that answers.
 *
 * **Generations**: every connection has a number `gen`, carried by each signal. When recovery
 * replaces the connection, the new one has `gen + 1`; the remote follows as soon as it sees an
 * offer of a higher `gen`, and signals of older generations are dropped.
 *
 * **Recovery**: ICE `disconnected` for longer than a grace period, or `failed`, restarts ICE
 * (`restartIce()`); after `maxIceRestarts` unsuccessful restarts, or when a new connection does
 * not connect in time, the connection is replaced, with backoff. Its data channels are
 * pre-negotiated ({@link LinkChannels}). Local tracks are put on every new connection; track changes use `replaceTrack` (no renegotiation).
 */
export class PeerLink extends TypedEventTarget<LinkEventMap> {
  readonly remoteId: string;
  readonly polite: boolean;
  readonly #opts: PeerLinkOptions;
  readonly #tuning: LinkTuning;
  readonly #machine: StateMachine<LinkState>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #queue: SendQueue;
  readonly #RTC: typeof RTCPeerConnection;
  #pc: RTCPeerConnection | null = null;
  #channels: LinkChannels | null = null;
  #negotiator: Negotiator | null = null;
  #media: LinkTracks | null = null;
  /** Generation of the current connection. */
  #gen = 0;
  /** The current connection was created by us to offer, and no description of it has come back yet. */
  #offeredUnanswered = false;
  #recovery: Recovery = 'none';
  #iceRestarts = 0;
  #recreations = 0;
  readonly #disconnectedTimer: Timer;
  readonly #recoveryTimer: Timer;
  readonly #recreateTimer: Timer;
  readonly #heartbeat: LinkHeartbeat;
  /** Clock time the link last left `connected` (-Infinity if never). */
  lastDownAt = -Infinity;
  /** The heartbeat's round trip over the data channel, ms, while the channel is open (null before its first answer). */
  get heartbeatRttMs(): number | null { return this.#heartbeat.rttMs; }
  /** Count of connections made (for diagnostics and tests). */
  connectionsCreated = 0;
  /** Count of ICE restarts made (for diagnostics and tests). */
  iceRestartsMade = 0;
  /** Offer collisions (glare) and how they were resolved, over every connection (for diagnostics and tests). */
  readonly glare: GlareCounts = { collisions: 0, rollbacks: 0, ignoredOffers: 0 };
  /** The last few `warning`s, newest last, as text (for diagnostics: what went wrong on this link). */
  readonly recentWarnings: string[] = [];

  constructor(options: PeerLinkOptions) {
    super();
    this.#opts = options;
    this.remoteId = options.remoteId;
    this.polite = options.selfId < options.remoteId;
    this.#tuning = { ...DEFAULT_LINK_TUNING, ...options.tuning, queue: { ...DEFAULT_LINK_TUNING.queue, ...options.tuning?.queue } };
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#RTC = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    this.#queue = new SendQueue(this.#tuning.queue);
    this.#disconnectedTimer = new Timer(this.#clock);
    this.#recoveryTimer = new Timer(this.#clock);
    this.#recreateTimer = new Timer(this.#clock);
    this.#heartbeat = new LinkHeartbeat(this.#clock, this.#tuning.heartbeatMs, this.#tuning.silenceMs, (silent) => {
      const pc = this.#pc;
      if (!pc) return;
      if (silent) this.#restartIce(`the data channel carried nothing for ${this.#tuning.silenceMs} ms`);
      else this.#refresh(pc);
    }, { mark: () => this.#queue.written, confirm: (mark) => this.#queue.confirm(mark) });
    this.#machine = new StateMachine<LinkState>('new', LINK_TRANSITIONS, (from, to, reason) => {
      if (from === 'connected') this.lastDownAt = this.#clock.now();
      this.emit('state-change', { from, to, reason });
    }, `PeerLink(${options.remoteId.slice(0, 6)})`);
  }

  get state(): LinkState { return this.#machine.state; }
  /** The current connection, for stats and media (null before the first signal on the waiting side). */
  get connection(): RTCPeerConnection | null { return this.#pc; }
  get generation(): number { return this.#gen; }
  get queued(): number { return this.#queue.length; }
  get channelOpen(): boolean { return this.#channels?.open ?? false; }
  /** The open file channel of the current connection (null while there is none). */
  get fileChannel(): RTCDataChannel | null { return this.#channels?.openFiles ?? null; }
  /** What recovery is under way: none, an ICE restart, or a replacement connection. */
  get recoveryStep(): Recovery { return this.#recovery; }
  /** The sender of our video on the current connection (for adaptive bitrate). */
  get videoSender(): RTCRtpSender | null { return this.#media?.videoSender ?? null; }

  /** Begins connecting: the initiator creates the connection and offers; the other side waits. */
  start(): void {
    if (this.state !== 'new') return;
    this.#machine.to('connecting', this.#opts.initiate ? 'offering' : 'waiting for an offer');
    if (this.#opts.initiate) this.#createConnection(0, true);
    else this.#recoveryTimer.set(this.#tuning.connectTimeoutMs * 1.5, () => this.#recreate('no offer arrived'));
  }

  /**
   * Queues a JSON frame for the data channel; it is written as soon as the channel is open and
   * has room. `droppable` frames may be dropped when the queue is full, and arrive at most once.
   * Other frames arrive at least once: one the remote has not confirmed when its connection fails
   * or is replaced goes again over the next (see {@link SendQueue}), so the receiver must ignore
   * copies (room messages are deduplicated by sender and number; other durable frames are idempotent).
   */
  send(frame: unknown, droppable = false): void {
    if (this.state === 'closed') return;
    this.#queue.push(JSON.stringify(frame), droppable);
    this.#heartbeat.confirmSoon();
  }

  /** Handles a signal from the remote peer. Never throws; stale or late signals are ignored. */
  handleSignal(data: SignalData): void {
    if (this.state === 'closed' || this.state === 'new') return;
    if (data.kind !== 'description' && data.kind !== 'candidate') return;
    if (data.gen < this.#gen) return; // an older connection's signal
    const offer = data.kind === 'description' && data.description.type === 'offer';
    // Both sides opened this generation at once (both replaced a failed connection): the polite
    // side gives way by answering on a connection of its own that never offered, instead of
    // rolling back the first offer of its new one. Chromium now and then gathers no candidates
    // for the answer after such a rollback, and the link waits for its connect timeout.
    const freshGlare = offer && this.polite && this.#offeredUnanswered && data.gen === this.#gen;
    if (data.gen > this.#gen || !this.#pc || freshGlare) {
      // The remote started a new connection: follow it (its offer is what arrives first).
      if (!offer) return;
      if (freshGlare) {
        this.glare.collisions++;
        this.glare.rollbacks++;
      }
      this.#recreateTimer.clear();
      this.#createConnection(data.gen, false);
    }
    if (data.kind === 'description') this.#offeredUnanswered = false;
    void this.#negotiator?.handle(data);
  }

  /**
   * Signaling is back (ours, or the remote's): re-send what may have been lost while it was down,
   * or restart ICE if the path broke meanwhile.
   */
  signalingRestored(): void {
    const pc = this.#pc;
    if (this.state === 'closed' || this.state === 'connected' || !pc) return;
    if (pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed') this.#restartIce('signaling restored while ICE was down');
    else this.#negotiator?.resend();
  }

  /**
   * New ICE servers (fresh TURN credentials): applied to the connection, and when its current
   * path runs through a TURN server, ICE restarts so the allocation uses the new credentials.
   */
  async updateIceServers(config: RTCConfiguration): Promise<void> {
    const pc = this.#pc;
    if (!pc || pc.connectionState === 'closed') return;
    try {
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers: config.iceServers ?? [] });
    } catch (error) {
      this.#warn('could not apply new ICE servers', error);
      return;
    }
    if (pc.restartIce && await this.usesRelay(pc)) {
      this.iceRestartsMade++;
      pc.restartIce();
    }
  }

  /** True when the current path runs through a TURN server. */
  usesRelay(pc: RTCPeerConnection | null = this.#pc): Promise<boolean> {
    return pc ? pathIsRelayed(pc) : Promise.resolve(false);
  }

  /**
   * Restarts ICE or replaces the connection now, for media that stopped moving on a link that
   * looks up. The ICE restart leaves the link `connected` (on a working path ICE may never leave
   * `connected`, so nothing would report it back); if the path is really broken, ICE says so.
   */
  recover(how: 'ice-restart' | 'recreate', reason: string): void {
    if (how === 'recreate') return this.#recreate(reason);
    this.iceRestartsMade++;
    this.#pc?.restartIce();
  }

  /** Puts the current local tracks on the connection (after mute, camera or screen changes). */
  syncMedia(): Promise<void> {
    return this.#media?.sync() ?? Promise.resolve();
  }

  /** Closes the connection and stops every timer. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.#disconnectedTimer.clear();
    this.#recoveryTimer.clear();
    this.#recreateTimer.clear();
    this.#teardown();
    this.#queue.clear();
    this.#machine.to('closed', 'closed');
  }

  // -------------------------------------------------------------------------------------------
  // Connection lifecycle

  #createConnection(gen: number, initiate: boolean): void {
    this.#teardown();
    this.#gen = gen;
    this.#offeredUnanswered = initiate;
    this.connectionsCreated++;
    const config = this.#opts.rtcConfig;
    let pc: RTCPeerConnection;
    try {
      pc = new this.#RTC((typeof config === 'function' ? config() : config) ?? {});
    } catch (error) {
      // Chromium refuses a 501st connection per page ("Cannot create so many PeerConnections"),
      // counting closed ones until they are garbage-collected: try again later, with backoff.
      this.#warn('could not create a peer connection', error);
      if (this.state === 'connected') this.#machine.to('reconnecting', 'no peer connection');
      this.#recreate('peer connection could not be created');
      return;
    }
    this.#pc = pc;
    const media = this.#opts.tracks?.(pc) ?? null;
    this.#media = media;
    this.#negotiator = new Negotiator(pc, gen, this.polite, {
      send: (data) => this.#opts.signal(data),
      beforeAnswer: async () => {
        if (!this.#channels) this.#openChannels(pc);
        await media?.adoptAfterOffer();
      },
      warn: (what, error) => this.#warn(what, error),
    }, this.glare);
    pc.oniceconnectionstatechange = () => this.#onIceState(pc);
    pc.onconnectionstatechange = () => this.#refresh(pc);
    pc.ontrack = (ev) => {
      if (this.#pc === pc) this.emit('track', { track: ev.track, streams: ev.streams });
    };
    // The offering side creates the channel and its transceivers now (which starts negotiation);
    // the answering side does so once the offer is applied, so it never starts a competing offer.
    if (initiate) {
      this.#openChannels(pc);
      media?.addOwn();
    }
    this.#recoveryTimer.set(this.#tuning.connectTimeoutMs, () => this.#recreate('connection did not open in time'));
  }

  #openChannels(pc: RTCPeerConnection): void {
    const channels = new LinkChannels(pc, {
      heard: (data) => this.#heartbeat.heard(data),
      open: (dc) => {
        this.#heartbeat.start(dc);
        this.#queue.attach(dc); // frames written again here are confirmed by the answer to the opening beat
        this.#refresh(pc);
      },
      closed: () => {
        this.#heartbeat.stop();
        this.#queue.detach();
        this.#refresh(pc);
        // The remote closed its connection (it recreated or went away): recover.
        if (this.state !== 'closed') this.#recreate('data channel closed');
      },
      message: (frame) => this.emit('message', frame),
      malformed: () => this.#warn('ignored a malformed data-channel frame'),
      fileChannel: (open) => this.emit('file-channel', { open }),
      fileFrame: (data) => this.emit('file-frame', data),
    });
    this.#channels = channels;
  }

  #teardown(): void {
    const pc = this.#pc;
    const channels = this.#channels;
    this.#pc = null;
    this.#channels = null;
    this.#media = null;
    this.#negotiator?.close();
    this.#negotiator = null;
    this.#heartbeat.stop();
    this.#queue.detach();
    channels?.close();
    if (pc) {
      pc.oniceconnectionstatechange = pc.onconnectionstatechange = pc.ontrack = null;
      pc.close();
    }
  }

  /** Derives the link state from the connection and its channel. */
  #refresh(pc: RTCPeerConnection): void {
    if (this.#pc !== pc || this.state === 'closed') return;
    // ICE reports trouble before the aggregate connectionState follows: require both.
    const ice = pc.iceConnectionState;
    const up = (ice === 'connected' || ice === 'completed') && pc.connectionState === 'connected' && this.channelOpen && !this.#heartbeat.silent;
    if (up) {
      this.#recovery = 'none';
      this.#iceRestarts = 0;
      this.#recreations = 0;
      this.#recoveryTimer.clear();
      this.#recreateTimer.clear();
      this.#disconnectedTimer.clear();
      this.#machine.to('connected', 'connection and data channel open');
      this.#queue.flush();
    } else if (this.state === 'connected') {
      this.#machine.to('reconnecting', `ICE ${ice}, connection ${pc.connectionState}, channel ${this.#channels?.mesh.readyState ?? 'none'}${this.#heartbeat.silent ? ', silent' : ''}`);
    }
  }

  #onIceState(pc: RTCPeerConnection): void {
    if (this.#pc !== pc) return;
    const ice = pc.iceConnectionState;
    if (ice === 'connected' || ice === 'completed') {
      this.#disconnectedTimer.clear();
    } else if (ice === 'disconnected') {
      if (!this.#disconnectedTimer.pending) {
        this.#disconnectedTimer.set(this.#tuning.disconnectedGraceMs, () => {
          if (this.#pc === pc && pc.iceConnectionState === 'disconnected') this.#restartIce('ICE disconnected');
        });
      }
    } else if (ice === 'failed') {
      this.#disconnectedTimer.clear();
      this.#restartIce('ICE failed');
    }
    this.#refresh(pc);
  }

  /** Restarts ICE on the current connection, or replaces it once restarts are used up. */
  #restartIce(reason: string): void {
    const pc = this.#pc;
    if (!pc || this.state === 'closed') return;
    if (this.state === 'connected') this.#machine.to('reconnecting', reason);
    if (this.#iceRestarts >= this.#tuning.maxIceRestarts || typeof pc.restartIce !== 'function') { // no restartIce(): Safari < 14.1
      this.#recreate(`${reason}; ${typeof pc.restartIce === 'function' ? `${this.#iceRestarts} ICE restarts did not help` : 'no restartIce() here'}`);
      return;
    }
    this.#iceRestarts++;
    this.iceRestartsMade++;
    this.#recovery = 'ice-restart';
    pc.restartIce();
    this.#recoveryTimer.set(this.#tuning.restartTimeoutMs, () => {
      if (this.#pc === pc && this.state !== 'connected') this.#restartIce('ICE restart did not reconnect in time');
    });
  }

  /** Replaces the connection with a new generation after a backoff delay. */
  #recreate(reason: string): void {
    if (this.state === 'closed' || this.#recreateTimer.pending) return;
    if (this.state === 'connected') this.#machine.to('reconnecting', reason);
    this.#recovery = 'recreate';
    this.#recoveryTimer.clear();
    const delay = backoffDelay(this.#recreations++, this.#tuning.recreateBackoff, this.#random);
    this.#recreateTimer.set(delay, () => {
      if (this.state === 'closed') return;
      this.#iceRestarts = 0;
      this.#createConnection(this.#gen + 1, true);
    });
  }

  #warn(what: string, error?: unknown): void {
    if (this.recentWarnings.push(error === undefined ? what : `${what}: ${error}`) > 8) this.recentWarnings.shift();
    this.emit('warning', { what, error });
  }
}
