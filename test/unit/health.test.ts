import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { metricsBetween, sampleStats } from '../../core/link/health-stats.js';
import { QualityTracker } from '../../core/link/quality-tracker.js';
import { classifyQuality, type QualityMetrics } from '../../core/protocol/quality.js';

type Recorded = Array<{ at: number; stats: Array<Record<string, unknown> & { type: string; id: string }> }>;
const recorded = JSON.parse(readFileSync(new URL('../fixtures/chrome-stats-video.json', import.meta.url), 'utf8')) as Recorded;
/** Firefox ESR 140's report of a call with Chromium: its candidate pairs carry no currentRoundTripTime. */
const firefox = JSON.parse(readFileSync(new URL('../fixtures/firefox-stats-video.json', import.meta.url), 'utf8')) as Recorded;

const m = (rttMs: number | null, lossPercent: number | null = 0, jitterMs: number | null = 0): QualityMetrics => ({ rttMs, lossPercent, jitterMs, bitrateKbps: null });

describe('health from getStats()', () => {
  it('reads RTT and available bitrate from the selected candidate pair of a real Chrome report', () => {
    const s = sampleStats(recorded[2].stats, recorded[2].at);
    assert.equal(s.rttMs, 1);
    assert.ok(s.availableOutKbps! > 100);
    assert.ok(s.framesDecoded > 0 && s.framesSent > 0);
    assert.equal(s.fpsIn, 20);
  });

  it('reads RTT from RTCP (remote-inbound-rtp) in a real Firefox report, whose selected pair has none', () => {
    const pair = firefox[2].stats.find((s) => s.type === 'candidate-pair' && s.selected === true)!;
    assert.equal(pair.currentRoundTripTime, undefined, 'the fixture is the case this is about');
    const a = sampleStats(firefox[1].stats, firefox[1].at);
    const b = sampleStats(firefox[2].stats, firefox[2].at);
    assert.equal(b.rttMs, 8);
    assert.equal(b.availableOutKbps, null, 'Firefox does not estimate it');
    const metrics = metricsBetween(a, b);
    assert.equal(metrics.lossPercent, 0);
    assert.ok(metrics.bitrateKbps! > 100, `sent bitrate: ${metrics.bitrateKbps}`);
  });

  it('prefers the candidate pair\'s RTT to RTCP\'s, and has none when neither is measured', () => {
    const report = (pairRtt?: number, rtcpRtt?: number) => sampleStats([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', currentRoundTripTime: pairRtt },
      { id: 'R', type: 'remote-inbound-rtp', kind: 'video', roundTripTime: rtcpRtt },
    ], 0).rttMs;
    assert.equal(report(0.02, 0.05), 20);
    assert.equal(report(undefined, 0.05), 50);
    assert.equal(report(undefined, undefined), null);
  });

  it('computes loss and sent bitrate between two recorded samples', () => {
    const a = sampleStats(recorded[1].stats, recorded[1].at);
    const b = sampleStats(recorded[2].stats, recorded[2].at);
    const metrics = metricsBetween(a, b);
    assert.equal(metrics.lossPercent, 0);
    assert.ok(metrics.bitrateKbps! > 0, 'bytes were sent');
    assert.equal(classifyQuality(metrics), 'good');
  });

  it('computes loss from packet counters, and reports nothing without a previous sample', () => {
    const at = (t: number, received: number, lost: number) => sampleStats([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', currentRoundTripTime: 0.25, availableOutgoingBitrate: 300_000 },
      { id: 'I', type: 'inbound-rtp', kind: 'video', packetsReceived: received, packetsLost: lost, jitter: 0.04 },
      { id: 'O', type: 'outbound-rtp', kind: 'video', bytesSent: t * 100 },
    ], t);
    const first = metricsBetween(null, at(0, 100, 0));
    assert.equal(first.lossPercent, null);
    const metrics = metricsBetween(at(0, 100, 0), at(1000, 190, 10));
    assert.equal(metrics.lossPercent, 10);
    assert.equal(metrics.rttMs, 250);
    assert.equal(metrics.jitterMs, 40);
    assert.equal(metrics.bitrateKbps, 800);
    assert.equal(classifyQuality(metrics), 'poor');
  });
});

describe('classifyQuality', () => {
  it('follows the documented thresholds (good ≤150 ms/1 %/30 ms, fair ≤300 ms/5 %/60 ms)', () => {
    assert.equal(classifyQuality(m(150, 1, 30)), 'good');
    assert.equal(classifyQuality(m(151)), 'fair');
    assert.equal(classifyQuality(m(20, 2.5)), 'fair');
    assert.equal(classifyQuality(m(301)), 'poor');
    assert.equal(classifyQuality(m(null, null, null)), 'good', 'nothing measured yet is not a problem');
  });
});

describe('QualityTracker (hysteresis)', () => {
  const run = (seq: QualityMetrics[]) => {
    const t = new QualityTracker();
    return seq.map((x) => t.update(x));
  };

  it('takes the first sample as is', () => {
    assert.deepEqual(run([m(500)]), ['poor']);
  });

  it('drops only after two worse samples in a row', () => {
    assert.deepEqual(run([m(20), m(400), m(20), m(400), m(400)]), ['good', 'good', 'good', 'good', 'poor']);
  });

  it('rises only after three better samples in a row, with a margin', () => {
    // 140 ms is "good" but not with the 20 % margin (≤ 120 ms): it does not lift a fair link.
    assert.deepEqual(run([m(200), m(140), m(140), m(140), m(140)]), ['fair', 'fair', 'fair', 'fair', 'fair']);
    assert.deepEqual(run([m(200), m(50), m(50), m(50)]), ['fair', 'fair', 'fair', 'good']);
  });

  it('does not flap on a link hovering around a threshold', () => {
    const hovering = Array.from({ length: 20 }, (_, i) => m(i % 2 === 0 ? 145 : 160));
    const levels = run(hovering);
    const changes = levels.filter((l, i) => i > 0 && l !== levels[i - 1]).length;
    assert.equal(changes, 0, `levels: ${levels}`);
  });
});
