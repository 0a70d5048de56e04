import type { Clock } from '../base/clock.js';

/**
 * A client-side token bucket that keeps this client under the relay's frame rate, so a burst
 * (an outbox resent after a reconnect, an application sending in a loop) waits here instead of
 * being dropped there.
 */
export class Pacer {
  #tokens: number;
  #last: number;

  readonly #clock: Clock;
  #perSecond: number;
  #burst: number;
  constructor(clock: Clock, perSecond = 40, burst = 100) {
    this.#clock = clock;
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Adopts the relay's limits, keeping a margin below them. */
  configure(ratePerSecond: number, rateBurst: number): void {
    this.#perSecond = Math.max(1, ratePerSecond * 0.8);
    this.#burst = Math.max(1, Math.floor(rateBurst * 0.5));
    this.#tokens = Math.min(this.#tokens, this.#burst);
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Takes one token even when there is none (for the few frames that cannot wait). */
  force(): void {
    this.#refill();
    this.#tokens -= 1;
  }

  /** Milliseconds until the next token. */
  wait(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000);
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
  }
}
