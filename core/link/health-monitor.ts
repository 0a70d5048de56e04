import { Timer, type Clock } from '../base/clock.js';
import { metricsBetween, sampleStats, type HealthMetrics, type StatsSample } from './health-stats.js';
import { qualityRecommendations, type QualityLevel } from '../protocol/quality.js';
import { DEFAULT_HYSTERESIS, QualityTracker, type HysteresisOptions } from './quality-tracker.js';
import { TypedEventTarget } from '../base/typed-event-target.js';

/** The health of one peer link after a sample. */
export interface PeerHealth {
  id: string;
  metrics: HealthMetrics;
  quality: QualityLevel;
  /** True when `quality` differs from the previous sample's. */
  changed: boolean;
  /** What to do about it (the seeds' recommendations). */
  recommendations: string[];
}

export interface HealthMonitorOptions {
  /** How often to read `getStats()`, ms. Default 2000. */
  intervalMs?: number;
  hysteresis?: Partial<HysteresisOptions>;
  clock: Clock;
  /** The connections to watch, by peer id (read on every round). */
  connections(): Iterable<[string, RTCPeerConnection | null]>;
  /** The peer's RTT measured some other way, used when the stats report none (Firefox on a link without media). */
  fallbackRttMs?(id: string): number | null;
}

export interface HealthEventMap {
  'health': CustomEvent<PeerHealth>;
}

/**
 * Reads `getStats()` of every peer connection on a timer and turns it into RTT, loss, jitter,
 * bitrate and frame-rate figures and a `good`/`fair`/`poor` level per peer, with hysteresis so the
 * level does not flap. Emits `health` after each sample.
 */
export class HealthMonitor extends TypedEventTarget<HealthEventMap> {
  readonly #timer: Timer;
  readonly #intervalMs: number;
  readonly #peers = new Map<string, { pc: RTCPeerConnection; last: StatsSample | null; tracker: QualityTracker }>();
  #running = false;

  readonly #options: HealthMonitorOptions;
  constructor(options: HealthMonitorOptions) {
    super();
    this.#options = options;
    this.#timer = new Timer(options.clock);
    this.#intervalMs = options.intervalMs ?? 2000;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#timer.set(this.#intervalMs, () => void this.round());
  }

  /** Forgets a peer (it left). */
  forget(id: string): void {
    this.#peers.delete(id);
  }

  /** Stops the timer. Idempotent. */
  close(): void {
    this.#running = false;
    this.#timer.clear();
    this.#peers.clear();
  }

  /** One sampling round; exposed for tests that drive time themselves. */
  async round(): Promise<void> {
    const hysteresis = { ...DEFAULT_HYSTERESIS, ...this.#options.hysteresis };
    for (const [id, pc] of this.#options.connections()) {
      if (!pc || pc.connectionState === 'closed') continue;
      let peer = this.#peers.get(id);
      // A new connection (after recovery) starts its counters from zero.
      if (!peer || peer.pc !== pc) this.#peers.set(id, (peer = { pc, last: null, tracker: peer?.tracker ?? new QualityTracker(hysteresis) }));
      let report: RTCStatsReport;
      try {
        report = await pc.getStats();
      } catch {
        continue;
      }
      if (!this.#running) return;
      const sample = sampleStats(report.values() as Iterable<never>, this.#options.clock.now());
      sample.rttMs ??= this.#options.fallbackRttMs?.(id) ?? null;
      const metrics = metricsBetween(peer.last, sample);
      peer.last = sample;
      const before = peer.tracker.level;
      const quality = peer.tracker.update(metrics);
      this.emit('health', { id, metrics, quality, changed: before !== quality, recommendations: qualityRecommendations(quality) });
    }
    if (this.#running) this.#timer.set(this.#intervalMs, () => void this.round());
  }
}
