import type { Clock } from '../base/clock.js';
import { HealthMonitor } from '../link/health-monitor.js';
import type { HealthMetrics } from '../link/health-stats.js';
import type { PeerLink } from '../link/peer-link.js';
import type { QualityLevel } from '../protocol/quality.js';
import type { MediaOptions } from './feature-types.js';

/** What a room's health watch needs from the room. */
export interface RoomHealthHost {
  readonly clock: Clock;
  readonly options: MediaOptions;
  /** Live links by member id. */
  links(): Array<[string, PeerLink]>;
  /** A sample of the link to `id`. */
  sample(id: string, metrics: HealthMetrics, quality: QualityLevel, link: PeerLink): void;
  /** Posts our figures to the relay's quality endpoint (best effort). */
  report(body: { rttMs: number | null; lossPercent: number | null; jitterMs: number | null; bitrateKbps: number | null }): void;
}

const RANK = { good: 0, fair: 1, poor: 2 } as const;

/**
 * Link health of a room, data-only members included: a {@link HealthMonitor} over every link,
 * and a report to the relay whenever our worst link changes level.
 */
export class RoomHealth {
  readonly #host: RoomHealthHost;
  readonly #monitor: HealthMonitor;
  readonly #latest = new Map<string, { quality: QualityLevel; metrics: HealthMetrics }>();
  #worst: QualityLevel | null = null;

  constructor(host: RoomHealthHost) {
    this.#host = host;
    this.#monitor = new HealthMonitor({
      clock: host.clock,
      intervalMs: host.options.healthIntervalMs,
      hysteresis: host.options.hysteresis,
      connections: () => host.links().map(([id, link]) => [id, link.connection] as [string, RTCPeerConnection | null]),
      fallbackRttMs: (id) => host.links().find(([pid]) => pid === id)?.[1].heartbeatRttMs ?? null,
    });
    this.#monitor.addEventListener('health', ({ detail: { id, metrics, quality } }) => {
      const link = host.links().find(([pid]) => pid === id)?.[1];
      if (!link) return;
      const changed = this.#latest.get(id)?.quality !== quality;
      this.#latest.set(id, { quality, metrics });
      host.sample(id, metrics, quality, link);
      if (changed) this.#reportWorst();
    });
  }

  start(): void { this.#monitor.start(); }

  /** The member left. */
  forget(id: string): void {
    this.#latest.delete(id);
    this.#monitor.forget(id);
  }

  close(): void {
    this.#monitor.close();
    this.#latest.clear();
  }

  #reportWorst(): void {
    if (this.#host.options.reportQuality === false) return;
    let worst: { quality: QualityLevel; metrics: HealthMetrics } | null = null;
    for (const p of this.#latest.values()) if (!worst || RANK[p.quality] > RANK[worst.quality]) worst = p;
    if (!worst || worst.quality === this.#worst) return;
    this.#worst = worst.quality;
    const m = worst.metrics;
    this.#host.report({ rttMs: m.rttMs, lossPercent: m.lossPercent, jitterMs: m.jitterMs, bitrateKbps: m.bitrateKbps ?? m.availableOutKbps });
  }
}
