import type { QualityMetrics } from '../protocol/quality.js';

/** Link figures at one moment, read from `RTCPeerConnection.getStats()`. */
export interface StatsSample {
  /** Clock time of the sample, ms. */
  at: number;
  rttMs: number | null;
  /** Estimated bitrate available for sending, kbit/s. */
  availableOutKbps: number | null;
  /** Summed over inbound RTP streams. */
  packetsReceived: number;
  packetsLost: number;
  /** Highest jitter of the inbound streams, ms. */
  jitterMs: number | null;
  framesDecoded: number;
  /** Inbound video frame rate. */
  fpsIn: number | null;
  /** Summed over outbound RTP streams. */
  bytesSent: number;
  framesSent: number;
  fpsOut: number | null;
}

/** Health of one link over the last interval. */
export interface HealthMetrics extends QualityMetrics {
  availableOutKbps: number | null;
  fpsIn: number | null;
  fpsOut: number | null;
  framesDecoded: number;
  framesSent: number;
  /** Incoming media that stopped moving (the media feature's stall watch). */
  stalled?: Array<'audio' | 'video'>;
}

type Stat = Record<string, unknown> & { type: string; id: string };
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Reads one sample from a stats report (`pc.getStats()`, or recorded stats as plain objects).
 * RTT and available bitrate come from the selected candidate pair (RTT from RTCP, the highest
 * `remote-inbound-rtp` round trip, where the pair has none: Firefox); loss, jitter and frames
 * from the RTP streams.
 */
export function sampleStats(report: Iterable<Stat>, at: number): StatsSample {
  const stats = [...report];
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair = (transport ? byId.get(transport.selectedCandidatePairId as string) : undefined)
    ?? stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  // Firefox leaves currentRoundTripTime off its candidate pairs: then the RTCP round trip of what we send.
  const rtt = num(pair?.currentRoundTripTime)
    ?? stats.reduce<number | null>((max, s) => (s.type === 'remote-inbound-rtp' && num(s.roundTripTime) !== null ? Math.max(max ?? 0, s.roundTripTime as number) : max), null);
  const sample: StatsSample = {
    at,
    rttMs: rtt === null ? null : rtt * 1000,
    availableOutKbps: num(pair?.availableOutgoingBitrate) === null ? null : (pair!.availableOutgoingBitrate as number) / 1000,
    packetsReceived: 0, packetsLost: 0, jitterMs: null, framesDecoded: 0, fpsIn: null,
    bytesSent: 0, framesSent: 0, fpsOut: null,
  };
  for (const s of stats) {
    if (s.type === 'inbound-rtp') {
      sample.packetsReceived += num(s.packetsReceived) ?? 0;
      sample.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
      const jitter = num(s.jitter);
      if (jitter !== null) sample.jitterMs = Math.max(sample.jitterMs ?? 0, jitter * 1000);
      if (s.kind === 'video') {
        sample.framesDecoded += num(s.framesDecoded) ?? 0;
        if (num(s.framesPerSecond) !== null) sample.fpsIn = s.framesPerSecond as number;
      }
    } else if (s.type === 'outbound-rtp') {
      sample.bytesSent += num(s.bytesSent) ?? 0;
      if (s.kind === 'video') {
        sample.framesSent += num(s.framesSent) ?? 0;
        if (num(s.framesPerSecond) !== null) sample.fpsOut = s.framesPerSecond as number;
      }
    }
  }
  return sample;
}

/** Metrics over the interval between two samples (loss and bitrate need the previous one). */
export function metricsBetween(prev: StatsSample | null, cur: StatsSample): HealthMetrics {
  let lossPercent: number | null = null;
  let bitrateKbps: number | null = null;
  if (prev) {
    const received = cur.packetsReceived - prev.packetsReceived;
    const lost = cur.packetsLost - prev.packetsLost;
    if (received + lost > 0 && received >= 0 && lost >= 0) lossPercent = (lost / (received + lost)) * 100;
    const seconds = (cur.at - prev.at) / 1000;
    const sent = cur.bytesSent - prev.bytesSent;
    if (seconds > 0 && sent >= 0) bitrateKbps = (sent * 8) / 1000 / seconds;
  }
  return {
    rttMs: cur.rttMs,
    lossPercent,
    jitterMs: cur.jitterMs,
    bitrateKbps,
    availableOutKbps: cur.availableOutKbps,
    fpsIn: cur.fpsIn,
    fpsOut: cur.fpsOut,
    framesDecoded: cur.framesDecoded,
    framesSent: cur.framesSent,
  };
}
