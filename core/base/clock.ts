/** Opaque timer handle. */
export type TimerId = unknown;

/**
 * Time as the core sees it. Everything that waits takes a clock, so reconnect and heartbeat
 * logic can be tested in milliseconds with a fake one.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** A single re-armable timer on a clock: `set` replaces any pending run, `clear` is idempotent. */
export class Timer {
  #id: TimerId | null = null;
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get pending(): boolean { return this.#id !== null; }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.#id = this.#clock.setTimeout(() => {
      this.#id = null;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.#id !== null) this.#clock.clearTimeout(this.#id);
    this.#id = null;
  }
}
