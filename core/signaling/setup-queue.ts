import { Timer, type Clock } from '../base/clock.js';
import type { SfuFrame, SignalFrame, WelcomeFrame } from '../protocol.js';
import { Pacer } from './pacer.js';

/** A frame that sets up media paths: a signal to a peer, or a request to the relay's SFU. */
export type SetupFrame = SignalFrame | SfuFrame;

/**
 * Signals and SFU requests, kept under the relay's budget for them. They go at once while the
 * budget allows; a burst beyond it (a newcomer to a large room offers a link to every member and
 * subscribes to every publisher) waits here, in order, instead of being dropped at the relay.
 * Waiting frames die with their socket, like frames in flight on it: the link and the SFU
 * subscription that sent them ask again when the relay is back.
 */
export class SetupQueue {
  readonly #pacer: Pacer;
  readonly #timer: Timer;
  readonly #waiting: SetupFrame[] = [];
  readonly #write: (frame: SetupFrame) => void;

  /** `write` puts one frame on the current socket. */
  constructor(clock: Clock, write: (frame: SetupFrame) => void) {
    this.#pacer = new Pacer(clock);
    this.#timer = new Timer(clock);
    this.#write = write;
  }

  /** Frames waiting for the budget. */
  get waiting(): number { return this.#waiting.length; }

  /** Adopts the relay's budget for set-up frames (a relay before it had one: its frame rate). */
  configure(limits: WelcomeFrame['limits']): void {
    this.#pacer.configure(limits.setupPerSecond ?? limits.ratePerSecond, limits.setupBurst ?? limits.rateBurst);
  }

  /** Sends `frame` now, or after the frames already waiting once the budget allows. */
  send(frame: SetupFrame): void {
    this.#waiting.push(frame);
    this.#drain();
  }

  /** Forgets what waits (the socket is gone). */
  clear(): void {
    this.#timer.clear();
    this.#waiting.length = 0;
  }

  #drain(): void {
    while (this.#waiting.length > 0) {
      if (!this.#pacer.take()) {
        if (!this.#timer.pending) this.#timer.set(this.#pacer.wait(), () => this.#drain());
        return;
      }
      this.#write(this.#waiting.shift()!);
    }
  }
}
