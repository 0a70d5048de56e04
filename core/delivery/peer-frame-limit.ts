/** A rate: so many per second sustained, up to `burst` at once. */
export interface FrameRate {
  perSecond: number;
  burst: number;
}

/** Frames of any kind one peer may send us directly. Default 500/s, burst 2000. */
export const DEFAULT_PEER_FRAME_RATE: FrameRate = { perSecond: 500, burst: 2000 };
/** Repair requests one peer may send us (each can cost a reply of up to the whole sent log). Default 5/s, burst 20. */
export const DEFAULT_PEER_REPAIR_RATE: FrameRate = { perSecond: 5, burst: 20 };

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly rate: FrameRate, private readonly now: () => number) {
    this.tokens = rate.burst;
    this.at = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((t - this.at) / 1000) * this.rate.perSecond);
    this.at = t;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/**
 * What one remote peer may send us over its data channel. Another member is another user's
 * browser and may be hostile or broken: beyond these rates its frames are dropped unread, so a
 * flood costs us a counter, not the page. Nothing is lost by it: durable messages also come
 * through the relay (and are repaired), best-effort ones are best effort, and a repair request
 * is asked again later.
 */
export class PeerFrameLimit {
  private readonly all: TokenBucket;
  private readonly repairs: TokenBucket;
  /** Frames let through. */
  admitted = 0;
  /** Frames dropped for exceeding a rate. */
  refused = 0;

  constructor(now: () => number, frames: FrameRate = DEFAULT_PEER_FRAME_RATE, repairs: FrameRate = DEFAULT_PEER_REPAIR_RATE) {
    this.all = new TokenBucket(frames, now);
    this.repairs = new TokenBucket(repairs, now);
  }

  /** True when a frame of kind `t` (its `t` field; null if malformed) may be handled now. */
  admit(t: string | null): boolean {
    const ok = this.all.take() && (t !== 'repair-request' || this.repairs.take());
    if (ok) this.admitted++;
    else this.refused++;
    return ok;
  }
}
