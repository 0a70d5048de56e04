import type { Clock } from '../base/clock.js';
import type { LocalMediaControls } from '../room/feature-types.js';
import type { SfuCandidate } from '../protocol.js';
import { LOST_MS, Retry, trickle } from './sfu-connection.js';

/** What a publication needs from the SFU feature. */
export interface PublicationHost {
  clock: Clock;
  /** Jitter of the retries (the room's `random`). */
  random?: () => number;
  RTC: typeof RTCPeerConnection;
  config(): RTCConfiguration;
  /** Sends our offer to the relay; false when it cannot take it now. */
  publish(sdp: string): boolean;
  /** Trickles one of our ICE candidates (null: all found) to the relay. */
  candidate(c: SfuCandidate | null): void;
}

type Kind = 'audio' | 'video';
/**
 * Video goes to the SFU in three layers, full, half and quarter size (720p, 360p, 180p from a 720p
 * camera), highest first as Janus expects them; each subscriber gets the one its link can take.
 * Each layer's bitrate is capped (1.2 Mbit/s, 350 and 100 kbit/s) and held to about 0.3 bit per
 * pixel and frame, so a small picture is not sent at a large picture's rate. Browsers send fewer
 * layers of a small picture.
 */
function simulcast(track: MediaStreamTrack | null): RTCRtpEncodingParameters[] {
  const { width = 1280, height = 720, frameRate = 30 } = track?.getSettings() ?? {};
  return ([['h', 1, 1_200_000], ['m', 2, 350_000], ['l', 4, 100_000]] as const).map(([rid, scale, cap]) => ({
    rid,
    scaleResolutionDownBy: scale,
    maxBitrate: Math.round(Math.min(cap, Math.max(30_000, (width * height * frameRate * 0.3) / scale ** 2))),
  }));
}
/** An answer that does not come in this time means the request was lost: offer again, ms. */
const ANSWER_MS = 10_000;

/**
 * Our one publication to the SFU: a send-only peer connection with a transceiver per kind we
 * send. Mute, camera off and screen share replace tracks on it (no renegotiation). When the
 * connection fails, or the SFU refuses or is away, a new one is offered after a short delay.
 */
export class SfuPublication {
  readonly #h: PublicationHost;
  readonly #local: LocalMediaControls;
  readonly #retry: Retry;
  #pc: RTCPeerConnection | null = null;
  readonly #senders = new Map<Kind, RTCRtpSender>();
  #closed = false;
  readonly #onChange = () => void this.#sync();

  constructor(host: PublicationHost, local: LocalMediaControls) {
    this.#h = host;
    this.#local = local;
    this.#retry = new Retry(host.clock, host.random);
    local.addEventListener('change', this.#onChange);
  }

  /** The peer connection to the SFU (null between attempts). */
  get connection(): RTCPeerConnection | null { return this.#pc; }

  /** Offers the publication (again: a new connection replaces the old one). */
  async start(): Promise<void> {
    if (this.#closed) return;
    this.#retry.clear();
    this.#pc?.close();
    this.#senders.clear();
    const pc = new this.#h.RTC(this.#h.config());
    this.#pc = pc;
    for (const kind of ['audio', 'video'] as const) {
      if (!this.#local.kinds[kind]) continue;
      const init: RTCRtpTransceiverInit = { direction: 'sendonly', streams: [this.#local.stream] };
      if (kind === 'video') init.sendEncodings = simulcast(this.#local.video);
      const t = pc.addTransceiver(this.#local[kind] ?? kind, init);
      this.#senders.set(kind, t.sender);
    }
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== this.#pc) return;
      const state = pc.connectionState;
      if (state === 'connected') this.#retry.reset();
      if (state === 'failed') this.failed();
      // The SFU went away (it stops answering ICE checks): a new publication, not a 30 s wait for `failed`.
      if (state === 'disconnected') this.#retry.at(LOST_MS, () => pc === this.#pc && pc.connectionState !== 'connected' && this.#again());
    });
    const described = trickle(pc, (c) => this.#h.candidate(c));
    await pc.setLocalDescription(await pc.createOffer());
    if (pc !== this.#pc || this.#closed) return;
    // Not taken (the relay socket is down) or never answered: offer again.
    if (!this.#h.publish(pc.localDescription!.sdp)) return this.failed();
    described();
    this.#retry.at(ANSWER_MS, () => this.#again());
  }

  /** The SFU's answer to our offer. */
  async answer(sdp: string): Promise<void> {
    const pc = this.#pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    this.#retry.clear();
    await pc.setRemoteDescription({ type: 'answer', sdp }).catch(() => this.failed());
  }

  /** The SFU refused or is away, or the connection failed: offer again after a while. */
  failed(): void {
    if (!this.#closed) this.#retry.later(() => this.#again());
  }

  /** Ends the publication. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#retry.clear();
    this.#local.removeEventListener('change', this.#onChange);
    this.#pc?.close();
    this.#pc = null;
  }

  #again(): void {
    this.start().catch(() => this.failed());
  }

  async #sync(): Promise<void> {
    for (const [kind, sender] of this.#senders) {
      const track = this.#local[kind];
      if (sender.track !== track) await sender.replaceTrack(track).catch(() => {});
    }
  }
}
