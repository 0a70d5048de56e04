import { AdaptiveBitrate } from './adaptive-bitrate.js';
import type { Clock } from '../base/clock.js';
import type { MeshError } from '../base/errors.js';
import type { HealthMetrics } from '../link/health-stats.js';
import { HealthMonitor } from '../link/health-monitor.js';
import { LocalMedia, type MediaDevicesLike, type MediaKinds, type MediaState } from './local-media.js';
import type { PeerLink } from '../link/peer-link.js';
import type { QualityLevel } from '../protocol/quality.js';
import type { HysteresisOptions } from '../link/quality-tracker.js';

/** Media and health knobs of a room. */
export interface MediaOptions {
  /** What to send: `{ audio: true, video: true }`; absent or both false for a data-only member. */
  media?: MediaKinds | null;
  /** How often to measure each link, ms. Default 2000. */
  healthIntervalMs?: number;
  hysteresis?: Partial<HysteresisOptions>;
  /** Step video down on fair/poor links and back up on good ones. Default true. */
  adaptiveBitrate?: boolean;
  /** Tell the relay (`POST /rooms/:id/quality`) when our worst link changes level. Default true. */
  reportQuality?: boolean;
  mediaDevices?: MediaDevicesLike;
}

/** What the media side needs from its room. */
export interface RoomMediaHost {
  readonly clock: Clock;
  readonly selfId: string;
  /** Live links by peer id. */
  links(): Iterable<[string, PeerLink]>;
  /** A peer's media, stream or health changed. */
  peerChanged(id: string): void;
  error(error: MeshError): void;
  /** Posts our figures to the relay's quality endpoint. */
  reportQuality(body: Record<string, unknown>): void;
}

interface RemoteMedia {
  state: MediaState | null;
  recording: boolean;
  stream: MediaStream | null;
  metrics: HealthMetrics | null;
  quality: QualityLevel | null;
  bitrate: AdaptiveBitrate;
}

/**
 * The media side of a room: our tracks ({@link LocalMedia}), every peer's stream and announced
 * media state, a {@link HealthMonitor} over all links, an {@link AdaptiveBitrate} per peer, and
 * quality reports to the relay.
 */
export class RoomMedia {
  local: LocalMedia | null = null;
  /** We record the room (and tell every peer so). */
  #recording = false;
  readonly #peers = new Map<string, RemoteMedia>();
  readonly #monitor: HealthMonitor;
  #worst: QualityLevel | null = null;
  readonly #onLocalChange = () => {
    // Peers are told once the tracks on the connection have changed, not before.
    for (const [, link] of this.#host.links()) void link.syncMedia().then(() => this.#announce(link));
  };

  readonly #host: RoomMediaHost;
  readonly #options: MediaOptions;
  constructor(host: RoomMediaHost, options: MediaOptions = {}) {
    this.#host = host;
    this.#options = options;
    this.#monitor = new HealthMonitor({
      clock: host.clock,
      intervalMs: options.healthIntervalMs,
      hysteresis: options.hysteresis,
      connections: () => [...host.links()].map(([id, link]) => [id, link.connection] as [string, RTCPeerConnection | null]),
    });
    this.#monitor.addEventListener('health', (e) => void this.#onHealth(e.detail.id, e.detail.metrics, e.detail.quality));
  }

  /** True when this member wants to send audio or video. */
  get wanted(): boolean {
    return !!this.#options.media && (this.#options.media.audio || this.#options.media.video);
  }

  /**
   * Starts our camera/microphone when wanted. A failure (denied, no device) is reported and the
   * room goes on without media: chat keeps working.
   */
  async start(): Promise<void> {
    this.#monitor.start();
    if (!this.wanted || this.local) return;
    const local = new LocalMedia(this.#options.media!, this.#options.mediaDevices);
    try {
      await local.start();
    } catch (err) {
      local.close();
      this.#host.error(err as MeshError);
      return;
    }
    this.local = local;
    local.addEventListener('change', this.#onLocalChange);
  }

  /** Wires a new link: remote tracks, and our media state once its channel is open. */
  attach(id: string, link: PeerLink): void {
    const peer = this.#peer(id);
    link.addEventListener('track', (e) => {
      const stream = e.detail.streams[0] ?? new MediaStream([e.detail.track]);
      if (peer.stream !== stream) {
        peer.stream = stream;
        this.#host.peerChanged(id);
      }
    });
    link.addEventListener('state-change', (e) => {
      if (e.detail.to === 'connected') {
        this.#announce(link);
        if (peer.bitrate.step > 0 && link.videoSender) void peer.bitrate.apply(link.videoSender);
      }
    });
  }

  /** The peer left. */
  detach(id: string): void {
    this.#peers.delete(id);
    this.#monitor.forget(id);
  }

  /** A peer announced what it sends, and whether it records. */
  remoteState(id: string, state: MediaState, recording: boolean): void {
    const peer = this.#peer(id);
    peer.state = state;
    peer.recording = recording;
    this.#host.peerChanged(id);
  }

  /** What we know of a peer's media and health. */
  of(id: string): { media: MediaState | null; stream: MediaStream | null; metrics: HealthMetrics | null; quality: QualityLevel | null; recording: boolean } {
    const p = this.#peers.get(id);
    return { media: p?.state ?? null, stream: p?.stream ?? null, metrics: p?.metrics ?? null, quality: p?.quality ?? null, recording: p?.recording ?? false };
  }

  /** Tells every peer (now, and each link as it connects) that we record, or stopped. */
  setRecording(on: boolean): void {
    if (this.#recording === on) return;
    this.#recording = on;
    for (const [, link] of this.#host.links()) this.#announce(link);
  }

  /** Stops our tracks (leaving); the monitor keeps its peers' history until close. */
  stopLocal(): void {
    this.local?.removeEventListener('change', this.#onLocalChange);
    this.local?.close();
    this.local = null;
  }

  /** Stops tracks and timers. Idempotent. */
  close(): void {
    this.stopLocal();
    this.#monitor.close();
    this.#peers.clear();
  }

  #peer(id: string): RemoteMedia {
    let p = this.#peers.get(id);
    if (!p) this.#peers.set(id, (p = { state: null, recording: false, stream: null, metrics: null, quality: null, bitrate: new AdaptiveBitrate({ clock: this.#host.clock }) }));
    return p;
  }

  #announce(link: PeerLink): void {
    const s = this.local?.state ?? { audio: false, video: false, screen: false };
    link.send({ t: 'media', ...s, recording: this.#recording }, true);
  }

  async #onHealth(id: string, metrics: HealthMetrics, quality: QualityLevel): Promise<void> {
    const peer = this.#peers.get(id);
    if (!peer) return;
    const changed = peer.quality !== quality;
    peer.metrics = metrics;
    peer.quality = quality;
    this.#host.peerChanged(id);
    const link = [...this.#host.links()].find(([pid]) => pid === id)?.[1];
    if (this.#options.adaptiveBitrate !== false && link?.videoSender) await peer.bitrate.update(quality, link.videoSender);
    if (changed) this.#reportWorst();
  }

  #reportWorst(): void {
    if (this.#options.reportQuality === false) return;
    const rank = { good: 0, fair: 1, poor: 2 } as const;
    let worst: RemoteMedia | null = null;
    for (const p of this.#peers.values()) if (p.quality && (!worst || rank[p.quality] > rank[worst.quality!])) worst = p;
    if (!worst || worst.quality === this.#worst) return;
    this.#worst = worst.quality;
    const m = worst.metrics!;
    this.#host.reportQuality({ rttMs: m.rttMs, lossPercent: m.lossPercent, jitterMs: m.jitterMs, bitrateKbps: m.bitrateKbps ?? m.availableOutKbps });
  }
}
