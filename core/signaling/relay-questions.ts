import type { Clock } from '../base/clock.js';
import type { RelayReachable } from './relay-reachable.js';

/**
 * The HTTP questions one signaling client asks: once per relay URL while connected, whether
 * asking works from this page at all; then, while reconnecting, whether the relay is up before a
 * WebSocket is opened. Every question has a deadline of its own (a check that ignores its abort
 * signal still ends there), and {@link close} ends every question under way.
 */
export class RelayQuestions {
  readonly #reachable: RelayReachable | null;
  readonly #clock: Clock;
  /** Per relay URL: whether asking was seen to work while connected. */
  readonly #works = new Map<string, boolean>();
  /** Ends each question under way (as "no answer"). */
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(reachable: RelayReachable | null, clock: Clock) {
    this.#reachable = reachable;
    this.#clock = clock;
  }

  /** Whether reconnects to `url` should ask over HTTP first: it was seen to answer while connected. */
  works(url: string): boolean { return this.#reachable !== null && this.#works.get(url) === true; }

  /**
   * Once per URL, while connected: does asking over HTTP work from this page? An answer that
   * comes after the connection that asked was lost says nothing (the relay may have gone): the
   * next connection asks again. `stillConnected` tells whether that connection is still there.
   */
  check(url: string, stillConnected: () => boolean, ms = 5000): void {
    if (!this.#reachable || this.#works.has(url)) return;
    this.#works.set(url, false);
    void this.ask(url, ms).then((up) => {
      if (up || stillConnected()) this.#works.set(url, up);
      else this.#works.delete(url);
    });
  }

  /**
   * Asks the relay at `url` over HTTP. Resolves false on any failure, on a check that throws,
   * after `ms` (even when the check never settles), and after close().
   */
  ask(url: string, ms: number): Promise<boolean> {
    const reachable = this.#reachable;
    if (!reachable || this.#closed) return Promise.resolve(false);
    const asking = new AbortController();
    return new Promise<boolean>((resolve) => {
      const finish = (up: boolean) => {
        if (!this.#pending.delete(end)) return;
        this.#clock.clearTimeout(deadline);
        if (!up) asking.abort();
        resolve(up);
      };
      const end = () => finish(false);
      this.#pending.add(end);
      const deadline = this.#clock.setTimeout(end, ms);
      Promise.resolve()
        .then(() => reachable(url, asking.signal))
        .then((up) => finish(up === true), end);
    });
  }

  /** Ends every question under way; later ones answer false at once. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const end of [...this.#pending]) end();
  }
}
