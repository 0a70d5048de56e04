/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. `take()` is false when empty.
 * Time comes from the caller so tests and floods are deterministic.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly perSecond: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** True when full again (so a map of buckets can forget this one). */
  idle(now: number): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }
}

/** One bucket per key (remote address), forgotten once full again; bounded in size. */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly maxKeys = 100_000) {}

  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      if (this.buckets.size >= this.maxKeys) return false;
      this.buckets.set(key, (b = new TokenBucket(this.perSecond, this.burst, now)));
    }
    return b.take(now);
  }

  sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.idle(now)) this.buckets.delete(k);
  }
}
