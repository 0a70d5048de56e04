import type { Clock } from '../base/clock.js';
import type { MeshError } from '../base/errors.js';
import { randomId } from '../base/ids.js';
import { PROTOCOL_LIMITS, type ServerFrame, type SfuFrame, type SignalData, type WelcomeFrame } from '../protocol.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import type { JoinIdentity, OutboxView, SignalingState, StateChange } from '../signaling/signaling-types.js';
import type { RoomOptions } from './room-types.js';

/** How an admission relates to the ones before it in the same session. */
export interface Admission {
  /** The first welcome of this session. */
  fresh: boolean;
  /** The relay restarted (another epoch) since the last welcome: it lost its memory. */
  epochChanged: boolean;
}

/** What a room hears from its relay session. */
export interface RelaySessionEvents {
  state(change: StateChange<SignalingState>): void;
  /** Admitted (again); the relay's replay follows. */
  welcome(w: WelcomeFrame, how: Admission): void;
  /** The replay is over. */
  synced(w: WelcomeFrame, how: Admission): void;
  /** Any other frame; `replaying` while it is part of the catch-up after a welcome. */
  frame(f: ServerFrame, replaying: boolean): void;
  ack(n: number): void;
  rejected(n: number, error: MeshError): void;
  error(e: MeshError): void;
}

/**
 * One membership of a room at the relay, from join to leave: the {@link SignalingClient}, our
 * session id, and what the relay's welcomes said (epoch, limits, members). Reconnects within it
 * resume the same membership; a new join is a new session.
 */
export class RelaySession {
  /** Our session id: signals name it, so those meant for an older membership are dropped. */
  readonly id = randomId();
  readonly client: SignalingClient;
  /** Largest message data the relay accepts, bytes. */
  maxMessageBytes: number = PROTOCOL_LIMITS.messageBytes;
  /** How long the relay keeps a member whose socket dropped, ms. */
  graceMs = 30_000;
  #welcome: WelcomeFrame | null = null;
  #how: Admission = { fresh: true, epochChanged: false };
  #epoch: string | null = null;
  #replaying = false;
  #syncedOnce = false;

  constructor(options: RoomOptions, clock: Clock, identity: () => Omit<JoinIdentity, 'session'>, outbox: OutboxView, on: RelaySessionEvents) {
    const sc = new SignalingClient({
      urls: ([] as string[]).concat(options.relay),
      identity: () => ({ ...identity(), session: this.id }),
      outbox,
      position: null,
      WebSocket: options.WebSocket,
      clock,
      random: options.random,
      networkEvents: options.networkEvents,
      visibility: options.visibility,
      ...options.signaling,
    });
    sc.addEventListener('state-change', (e) => on.state(e.detail));
    sc.addEventListener('welcome', ({ detail: w }) => {
      const fresh = !this.#syncedOnce;
      this.#how = { fresh, epochChanged: !fresh && this.#epoch !== w.epoch };
      this.#epoch = w.epoch;
      this.#welcome = w;
      this.#replaying = true;
      this.maxMessageBytes = w.limits.messageBytes;
      this.graceMs = w.limits.graceMs;
      on.welcome(w, this.#how);
    });
    sc.addEventListener('synced', () => {
      const w = this.#welcome;
      if (!w) return;
      this.#replaying = false;
      on.synced(w, this.#how);
      this.#syncedOnce = true;
    });
    sc.addEventListener('frame', (e) => on.frame(e.detail, this.#replaying));
    sc.addEventListener('ack', (e) => on.ack(e.detail.n));
    sc.addEventListener('publish-rejected', (e) => {
      on.rejected(e.detail.n, e.detail.error);
      on.error(e.detail.error);
    });
    sc.addEventListener('error', (e) => on.error(e.detail));
    this.client = sc;
  }

  /** Connected, and the relay's catch-up is over. */
  get synced(): boolean { return this.client.state === 'connected'; }

  connect(): void { this.client.connect(); }
  publish(): void { this.client.publish(); }

  /** Sends a signal to one member's session; false when the relay cannot take it now. */
  signal(to: string, toSession: string, data: SignalData): boolean {
    return this.client.sendNow({ type: 'signal', to, toSession, data });
  }

  /** Sends a frame to the relay's SFU; false when the relay cannot take it now. */
  sfu(frame: SfuFrame): boolean {
    return this.client.sendNow(frame);
  }

  /** Says goodbye (others are told at once) and closes. */
  leave(): void { this.client.leave(this.id); }

  close(reason: string): void { this.client.close(reason); }
}
