import type { StallKind } from '../room/feature-types.js';
import type { StallReading } from './stall-repair.js';

/**
 * How far a link's incoming media has moved, from `getStats()`: video frames decoded; audio
 * samples played out, and how many of those were real (not concealment of missing packets).
 */
export interface InboundProgress { video: number | null; audioOut: number | null; audioReal: number | null }

type Stat = Record<string, unknown> & { type: string };
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Reads {@link InboundProgress} from a stats report (live, or recorded as plain objects). */
export function inboundProgress(report: Iterable<Stat>): InboundProgress {
  const p: InboundProgress = { video: null, audioOut: null, audioReal: null };
  for (const s of report) {
    if (s.type !== 'inbound-rtp') continue;
    if (s.kind === 'video') p.video = (p.video ?? 0) + num(s.framesDecoded);
    if (s.kind === 'audio') {
      p.audioOut = (p.audioOut ?? 0) + num(s.totalSamplesReceived);
      p.audioReal = (p.audioReal ?? 0) + num(s.totalSamplesReceived) - num(s.concealedSamples);
    }
  }
  return p;
}

/**
 * Tells when a peer's incoming media stops moving: video whose decoded-frame count does not
 * advance for `stallMs`, or audio that is played out but only as concealment for `stallMs`
 * (audio nobody plays out is not judged: its counters stand still either way). Only what the
 * peer says it sends is judged, and only while the link is up: `restart` (a new connection, a
 * link that is down, a peer that turned its camera on) starts every timing afresh. Media that
 * has not moved yet on a connection gets `startMs` before it counts as stalled.
 */
export class StallDetector {
  #last: InboundProgress = { video: null, audioOut: null, audioReal: null };
  readonly #movedAt: Record<StallKind, number> = { audio: 0, video: 0 };
  /** The kind moved on this connection (the short stall time applies). */
  readonly #started: Record<StallKind, boolean> = { audio: false, video: false };
  #expect: Record<StallKind, boolean> = { audio: false, video: false };

  readonly #stallMs: number;
  readonly #startMs: number;
  constructor(stallMs = 2000, startMs = 8000) {
    this.#stallMs = stallMs;
    this.#startMs = startMs;
  }

  /**
   * One reading at clock time `now` of what the peer sends (`expect`); `p` is null while the link
   * is down, `fresh` on a new connection (its counters start again).
   */
  read(now: number, p: InboundProgress | null, expect: Record<StallKind, boolean>, fresh: boolean): StallReading {
    const last = this.#last;
    if (p) this.#last = p;
    const restart = !p || fresh;
    const moved = {
      video: !restart && p.video !== null && p.video > (last.video ?? 0),
      audio: !restart && p.audioReal !== null && p.audioReal > (last.audioReal ?? 0),
    };
    const played = !restart && p.audioOut !== null && p.audioOut > (last.audioOut ?? 0);
    let progressed = false;
    const stalled: StallKind[] = [];
    for (const kind of ['audio', 'video'] as const) {
      const wanted = expect[kind];
      if (fresh) this.#started[kind] = false;
      if (restart || !wanted || !this.#expect[kind] || moved[kind] || (kind === 'audio' && !played)) this.#movedAt[kind] = now;
      if (wanted && moved[kind]) progressed = this.#started[kind] = true;
      else if (wanted && now - this.#movedAt[kind] >= (this.#started[kind] ? this.#stallMs : this.#startMs)) stalled.push(kind);
    }
    this.#expect = expect;
    return { expected: expect.audio || expect.video, stalled, progressed };
  }
}
