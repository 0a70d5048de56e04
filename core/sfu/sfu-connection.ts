import type { Clock, TimerId } from '../base/clock.js';

/**
 * What the publication and the subscriptions share: a peer connection to the SFU, described to it
 * once, whole. Janus takes an offer with every candidate in it (half trickle), so a description
 * goes out when gathering is complete, or after `gatherMs` with the candidates found so far.
 */
export async function gathered(pc: RTCPeerConnection, gatherMs = 3000): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, gatherMs);
      function done() {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
      function check() {
        if (pc.iceGatheringState === 'complete') done();
      }
      pc.addEventListener('icegatheringstatechange', check);
    });
  }
  return pc.localDescription?.sdp ?? '';
}

/** A connection to the SFU `disconnected` this long is given up for a new one, ms. */
export const LOST_MS = 2500;

/**
 * The next attempt of a request to the SFU, on the room clock: after a given time (an answer that
 * never came), or after a delay that grows while attempts fail (0.5 s doubling to 5 s). Not the
 * kernel's `Timer`: importing it here would split the clock into a chunk of its own, one more
 * file on every page.
 */
export class Retry {
  #id: TimerId | null = null;
  #attempt = 0;
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `fn` in `ms` (replacing a pending run). */
  at(ms: number, fn: () => void): void {
    this.clear();
    this.#id = this.#clock.setTimeout(() => {
      this.#id = null;
      fn();
    }, ms);
  }

  /** Runs `fn` after the next, longer delay. */
  later(fn: () => void): void {
    this.at(Math.min(5000, 500 * 2 ** this.#attempt++), fn);
  }

  /** It worked: the next failure waits the shortest delay again. */
  reset(): void { this.#attempt = 0; }

  clear(): void {
    if (this.#id !== null) this.#clock.clearTimeout(this.#id);
    this.#id = null;
  }
}
