/**
 * Connection quality: the figures a link is judged by, the thresholds, and what to tell a member.
 * Shared by the relay's quality endpoint and the client's health monitor, so both classify alike.
 */

/** Link measurements, as reported by a member or computed from `getStats()`. */
export interface QualityMetrics {
  /** Round-trip time, ms. */
  rttMs: number | null;
  /** Packets lost, percent of packets expected. */
  lossPercent: number | null;
  /** Jitter, ms. */
  jitterMs: number | null;
  /** Available or achieved bitrate, kbit/s. */
  bitrateKbps: number | null;
}

export type QualityLevel = 'good' | 'fair' | 'poor';

/**
 * Thresholds (from the seeds' classification): a link is `good` when every known figure is at
 * or below the `good` column, `fair` when within the `fair` column, else `poor`.
 */
export const QUALITY_THRESHOLDS = {
  good: { rttMs: 150, lossPercent: 1, jitterMs: 30 },
  fair: { rttMs: 300, lossPercent: 5, jitterMs: 60 },
} as const;

/** Classifies measurements without hysteresis (the health monitor adds that). Unknown figures are ignored. */
export function classifyQuality(m: QualityMetrics): QualityLevel {
  const within = (t: { rttMs: number; lossPercent: number; jitterMs: number }) =>
    (m.rttMs === null || m.rttMs <= t.rttMs) && (m.lossPercent === null || m.lossPercent <= t.lossPercent) && (m.jitterMs === null || m.jitterMs <= t.jitterMs);
  if (within(QUALITY_THRESHOLDS.good)) return 'good';
  if (within(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'poor';
}

/** What to tell a member whose link is at `level`. */
export function qualityRecommendations(level: QualityLevel): string[] {
  switch (level) {
    case 'good':
      return ['Connection is good.'];
    case 'fair':
      return ['Connection is stable but could be better.', 'Consider reducing video quality if experiencing lag.'];
    case 'poor':
      return ['Connection is poor.', 'Switch to audio only or turn the camera off.', 'Use a wired connection or move closer to the Wi-Fi router.'];
  }
}
