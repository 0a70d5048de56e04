import type { Clock } from '../base/clock.js';
import type { SfuCandidate } from '../protocol.js';
import { LOST_MS, Retry, trickle } from './sfu-connection.js';

/** What a subscription needs from the SFU feature. */
export interface SubscriptionHost {
  clock: Clock;
  /** Jitter of the retries (the room's `random`). */
  random?: () => number;
  RTC: typeof RTCPeerConnection;
  config(): RTCConfiguration;
  /** Asks the relay for `peer`'s media; false when it cannot take it now. */
  subscribe(peer: string): boolean;
  /** Our answer to the subscription's offer; false when the relay cannot take it now. */
  start(peer: string, sdp: string): boolean;
  /** Trickles one of our ICE candidates for the subscription (null: all found) to the relay. */
  candidate(peer: string, c: SfuCandidate | null): void;
  /** `peer`'s media arrived (a stream whose tracks may still grow). */
  stream(peer: string, stream: MediaStream): void;
  /** Asks for simulcast layer `substream` of the video on m-line `mid`; false when the relay cannot take it now. */
  layer(peer: string, mid: string, substream: 0 | 1 | 2): boolean;
  /** `peer`'s video stopped moving at clock time `since` (null: it moves again). */
  stalled(peer: string, since: number | null): void;
}

/** Video the member sends whose decoded frames stand still this long is stalled, ms (a new connection gets START_MS). */
const STALL_MS = 2000;
const START_MS = 8000;

/** The simulcast layer for a link of each level: the highest on a good one, the lowest on a poor one. */
const LAYER_FOR = { good: 2, fair: 1, poor: 0 } as const;

/** An offer that does not come in this time means the request was lost: ask again, ms. */
const OFFER_MS = 10_000;

/**
 * Our subscription to one member's publication: asked for until the SFU offers it (a member that
 * publishes nothing yet is asked for again, 0.5 s doubling to 5 s), answered on a receive-only
 * peer connection, and asked for anew when that connection fails.
 */
export class SfuSubscription {
  readonly #h: SubscriptionHost;
  readonly #retry: Retry;
  readonly peer: string;
  #pc: RTCPeerConnection | null = null;
  #closed = false;
  /** A request is on its way (its answer not yet here), and whether to ask once more when it comes back empty. */
  #asking = false;
  #askAgain = false;
  /** The simulcast layer we asked for on this connection (the SFU starts with the highest). */
  #layer: 0 | 1 | 2 = 2;
  /** The link's latest level, and the highest layer the page's tile for this member can use (0 when hidden). */
  #level: keyof typeof LAYER_FOR = 'good';
  #fits: 0 | 1 | 2 = 2;
  /** Frames decoded at the last health sample on this connection, since when they stood still, and whether that is reported. */
  #frames = 0;
  #stillSince: number | null = null;
  #stalled = false;

  constructor(host: SubscriptionHost, peer: string) {
    this.#h = host;
    this.#retry = new Retry(host.clock, host.random);
    this.peer = peer;
  }

  /** The peer connection from the SFU (null until offered). */
  get connection(): RTCPeerConnection | null { return this.#pc; }

  /**
   * Asks for the publication (again after a while when the relay cannot take it, or no offer
   * comes). One request at a time: asked while one is on its way (the publication just came up),
   * it asks once more as soon as that one comes back empty.
   */
  request(): void {
    if (this.#closed) return;
    if (this.#asking) {
      this.#askAgain = true;
      return;
    }
    if (!this.#h.subscribe(this.peer)) return this.later();
    this.#asking = true;
    this.#retry.at(OFFER_MS, () => {
      this.#asking = false;
      this.request();
    });
  }

  /** The SFU's offer of the publication: answered on a new connection. */
  async offer(sdp: string): Promise<void> {
    if (this.#closed) return;
    this.#retry.clear();
    this.#asking = this.#askAgain = false;
    this.#pc?.close();
    const pc = new this.#h.RTC(this.#h.config());
    this.#pc = pc;
    this.#layer = 2;
    this.#frames = 0;
    this.#stillSince = null;
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => {
      if (pc !== this.#pc) return;
      stream.addTrack(e.track);
      this.#h.stream(this.peer, stream);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== this.#pc) return;
      const state = pc.connectionState;
      if (state === 'connected') this.#retry.reset();
      if (state === 'failed') this.later();
      // The SFU went away: ask again (the old connection stays until a new offer replaces it).
      if (state === 'disconnected') this.#retry.at(LOST_MS, () => pc === this.#pc && pc.connectionState !== 'connected' && this.request());
    });
    const described = trickle(pc, (c) => this.#h.candidate(this.peer, c));
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      if (pc !== this.#pc || this.#closed) return;
      if (!this.#h.start(this.peer, pc.localDescription!.sdp)) return this.later();
      described();
      this.#pick(); // a hidden member, or a link already known to be poor, starts below the highest layer
    } catch {
      if (pc === this.#pc) this.later();
    }
  }

  /**
   * The level of this subscription's link (the health monitor's, with its hysteresis): a lower
   * layer on a `fair` or `poor` one, the highest again once it is `good`.
   */
  quality(level: keyof typeof LAYER_FOR): void {
    this.#level = level;
    this.#pick();
  }

  /**
   * How the page shows this member: not at all (the lowest layer), or in a tile `width` device
   * pixels wide, which gets the smallest layer at least that wide (of a 720p camera's 320, 640
   * and 1280): a thumbnail does not need the full picture.
   */
  visible(shown: boolean, width = Infinity): void {
    this.#fits = !shown || width <= 320 ? 0 : width <= 640 ? 1 : 2;
    this.#pick();
  }

  #pick(): void {
    const want = Math.min(LAYER_FOR[this.#level], this.#fits) as 0 | 1 | 2;
    const mid = this.#pc?.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.mid;
    if (want === this.#layer || !mid) return;
    if (this.#h.layer(this.peer, mid, want)) this.#layer = want;
  }

  /**
   * A health sample: video the member says it sends (`sending`) whose decoded frames stand still
   * for 2 s (8 s on a new connection) is stalled: reported, and the subscription asked for anew
   * (which also repairs a publication replaced without our hearing of it). Moving again clears it.
   */
  progress(framesDecoded: number, sending: boolean): void {
    const now = this.#h.clock.now();
    if (!sending || framesDecoded > this.#frames) {
      this.#frames = framesDecoded;
      this.#stillSince = null;
      if (this.#stalled) this.#h.stalled(this.peer, null);
      this.#stalled = false;
      return;
    }
    this.#stillSince ??= now;
    if (now - this.#stillSince < (framesDecoded === 0 ? START_MS : STALL_MS)) return;
    if (!this.#stalled) this.#h.stalled(this.peer, this.#stillSince);
    this.#stalled = true;
    this.#stillSince = now;
    this.request();
  }

  /** The member publishes nothing (yet), or the SFU refused: ask again after a while (at once if it came up meanwhile). */
  later(): void {
    if (this.#closed) return;
    const now = this.#askAgain;
    this.#asking = this.#askAgain = false;
    if (now) this.request();
    else this.#retry.later(() => this.request());
  }

  /** Ends the subscription. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#retry.clear();
    this.#pc?.close();
    this.#pc = null;
  }
}
