/** Reconnect delays. */
export interface BackoffOptions {
  /** Upper bound of the first retry's delay, ms: the first retry is fast. Default 250. */
  firstMs: number;
  /** Upper bound of the second retry's delay, doubled for each later one, ms. Default 1000. */
  baseMs: number;
  /** Largest delay, ms. Default 30_000. */
  maxMs: number;
  /**
   * Largest delay while the outage is younger than `fastForMs`, ms: whoever lost the relay a
   * moment ago is back within about this long after it is. Default 2000.
   */
  fastMaxMs?: number;
  /** How long an outage counts as young, ms (0: never). Default 120_000. */
  fastForMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { firstMs: 250, baseMs: 1000, maxMs: 30_000, fastMaxMs: 2000, fastForMs: 120_000 };

/**
 * Delay before retry number `attempt` (0-based), with full jitter: uniformly random between 0
 * and the cap for that attempt, so clients that lost the relay together do not return together.
 * Caps: attempt 0 → firstMs; attempt k ≥ 1 → min(maxMs, baseMs · 2^(k−1)), and at most
 * `fastMaxMs` while the outage (`downForMs`) is younger than `fastForMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random, downForMs = Infinity): number {
  let cap = attempt <= 0 ? options.firstMs : Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt - 1, 30));
  if (downForMs < (options.fastForMs ?? 0)) cap = Math.min(cap, options.fastMaxMs ?? cap);
  return Math.floor(random() * cap);
}
