import type { Clock, TimerId } from '../base/clock.js';
import type { SfuCandidate } from '../protocol.js';

/**
 * Trickles a connection's ICE candidates to the SFU as they are found (null: gathering is
 * complete), so a description goes out at once instead of after gathering (seconds behind STUN or
 * TURN, or on a busy machine). Janus takes candidates only after the description: those found
 * before the returned function is called wait for it.
 */
export function trickle(pc: RTCPeerConnection, send: (c: SfuCandidate | null) => void): () => void {
  let described = false;
  const early: Array<SfuCandidate | null> = [];
  pc.addEventListener('icecandidate', ({ candidate: c }) => {
    if (c && !c.candidate) return; // an end of one m-line's candidates (Firefox); the null at the end says it for all
    const candidate = c && { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
    if (described) send(candidate);
    else early.push(candidate);
  });
  return () => {
    described = true;
    for (const c of early.splice(0)) send(c);
  };
}

/** A connection to the SFU `disconnected` this long is given up for a new one, ms. */
export const LOST_MS = 2500;

/**
 * The next attempt of a request to the SFU, on the room clock: after a given time (an answer that
 * never came), or after a delay that grows while attempts fail (0.5 s doubling to 5 s), with full
 * jitter (members that lost Janus together do not all ask again at once). Not the
 * kernel's `Timer`: importing it here would split the clock into a chunk of its own, one more
 * file on every page.
 */
export class Retry {
  #id: TimerId | null = null;
  #attempt = 0;
  readonly #clock: Clock;
  readonly #random: () => number;
  constructor(clock: Clock, random: () => number = Math.random) {
    this.#clock = clock;
    this.#random = random;
  }

  /** Runs `fn` in `ms` (replacing a pending run). */
  at(ms: number, fn: () => void): void {
    this.clear();
    this.#id = this.#clock.setTimeout(() => {
      this.#id = null;
      fn();
    }, ms);
  }

  /** Runs `fn` after the next, longer delay (anywhere up to it). */
  later(fn: () => void): void {
    this.at(this.#random() * Math.min(5000, 500 * 2 ** this.#attempt++), fn);
  }

  /** It worked: the next failure waits the shortest delay again. */
  reset(): void { this.#attempt = 0; }

  clear(): void {
    if (this.#id !== null) this.#clock.clearTimeout(this.#id);
    this.#id = null;
  }
}
