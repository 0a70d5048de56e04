import { QUALITY_THRESHOLDS, type QualityLevel, type QualityMetrics } from '../protocol/quality.js';

const RANK: Record<QualityLevel, number> = { good: 0, fair: 1, poor: 2 };

export interface HysteresisOptions {
  /** Consecutive worse samples before the level drops. Default 2. */
  downAfter: number;
  /** Consecutive better samples before the level rises. Default 3. */
  upAfter: number;
  /** Rising requires figures this much inside the thresholds (0.8 = 20 % margin). Default 0.8. */
  upMargin: number;
}

export const DEFAULT_HYSTERESIS: HysteresisOptions = { downAfter: 2, upAfter: 3, upMargin: 0.8 };

/** Classifies against the shared thresholds scaled by `factor` (< 1 is stricter). */
export function classifyScaled(m: QualityMetrics, factor: number): QualityLevel {
  const within = (t: { rttMs: number; lossPercent: number; jitterMs: number }) =>
    (m.rttMs === null || m.rttMs <= t.rttMs * factor) &&
    (m.lossPercent === null || m.lossPercent <= t.lossPercent * factor) &&
    (m.jitterMs === null || m.jitterMs <= t.jitterMs * factor);
  if (within(QUALITY_THRESHOLDS.good)) return 'good';
  if (within(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'poor';
}

/**
 * The quality of one link, from a stream of samples, without flapping: it drops after
 * `downAfter` consecutive worse samples, and rises only after `upAfter` consecutive samples that
 * are better with a margin. The first sample sets the level directly.
 */
export class QualityTracker {
  level: QualityLevel | null = null;
  #worse = 0;
  #better = 0;

  readonly #options: HysteresisOptions;
  constructor(options: HysteresisOptions = DEFAULT_HYSTERESIS) {
    this.#options = options;
  }

  /** Feeds one sample; returns the (possibly unchanged) level. */
  update(m: QualityMetrics): QualityLevel {
    const raw = classifyScaled(m, 1);
    if (this.level === null) return (this.level = raw);
    const strict = classifyScaled(m, this.#options.upMargin);
    if (RANK[raw] > RANK[this.level]) {
      this.#better = 0;
      if (++this.#worse >= this.#options.downAfter) {
        this.level = raw;
        this.#worse = 0;
      }
    } else if (RANK[strict] < RANK[this.level]) {
      this.#worse = 0;
      if (++this.#better >= this.#options.upAfter) {
        this.level = strict;
        this.#better = 0;
      }
    } else {
      this.#worse = 0;
      this.#better = 0;
    }
    return this.level;
  }
}
