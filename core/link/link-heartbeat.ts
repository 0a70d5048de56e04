import { Timer, type Clock } from '../base/clock.js';

/** A beat on the `mesh` channel, and the answer to one (plain text, never valid JSON frames). */
export const BEAT = 'b';
export const BEAT_ANSWER = 'r';

/** What the heartbeat tells the send queue: which frames the remote has received. */
export interface HeartbeatDelivery {
  /** A mark for everything written to the channel so far (taken as a beat goes out). */
  mark(): number;
  /** The remote answered a beat: everything written before its `mark` arrived. */
  confirm(mark: number): void;
}

/**
 * Liveness of one data channel, without waiting for ICE consent (which takes 5 s or more): every
 * `intervalMs` it sends a beat, and the remote answers each beat from its message handler. The
 * link is `silent` when nothing at all (beats, answers, frames) has arrived within `silenceMs` of
 * a beat (so at most `intervalMs + silenceMs` after the path died), and speaks again with the
 * first byte that arrives.
 *
 * Answers come from event handlers, never from the remote's timers, so a remote in a background
 * tab (timers throttled to one a second or less) answers as fast as a visible one. Silence is
 * only reported once the remote has shown it beats too (an older peer that does not is never
 * called silent).
 *
 * The channel is ordered and reliable, so the answer to a beat also says that everything written
 * before that beat has arrived: each beat carries the sender's `mark()` then, and its answer
 * hands that mark to `confirm` (the send queue keeps what is not confirmed yet).
 */
export class LinkHeartbeat {
  readonly #clock: Clock;
  readonly #timer: Timer;
  readonly #silence: Timer;
  /** When the oldest beat nothing has arrived since was sent; null once something arrived. */
  #waitingSince: number | null = null;
  #remoteBeats = false;
  #silent = false;
  #channel: { send(data: string): void } | null = null;
  /**
   * The beats still unanswered (the last few), oldest first: when each went out, its number on this
   * channel and the mark written before it. Answers come in the order of their beats (the k-th
   * answer is for the k-th beat), even when a round trip is longer than a beat's interval; an
   * answer whose beat is no longer listed confirms nothing.
   */
  readonly #beats: Array<{ no: number; at: number; mark: number }> = [];
  #sentBeats = 0;
  #answers = 0;
  /** The mark the latest beat carried. */
  #lastMark = 0;
  #rttMs: number | null = null;
  readonly #delivery: HeartbeatDelivery;

  /** `delivery` is told which frames the remote has received (by default nobody is). */
  constructor(
    clock: Clock,
    private readonly intervalMs: number,
    private readonly silenceMs: number,
    private readonly onSilence: (silent: boolean) => void,
    delivery: HeartbeatDelivery = { mark: () => 0, confirm: () => {} },
  ) {
    this.#clock = clock;
    this.#delivery = delivery;
    this.#timer = new Timer(clock);
    this.#silence = new Timer(clock);
  }

  /** True from the moment silence is noticed until something arrives again. */
  get silent(): boolean { return this.#silent; }

  /**
   * The latest beat's round trip over the channel, ms (null before the first answer, and while
   * silent): the RTT of a link whose browser reports none in its stats (Firefox without media).
   */
  get rttMs(): number | null { return this.#silent ? null : this.#rttMs; }

  /** Starts beating on an open channel (replacing any earlier one). */
  start(channel: { send(data: string): void }): void {
    this.stop();
    this.#channel = channel;
    const tick = () => {
      if (this.#waitingSince === null) {
        // Silent if nothing at all arrives within silenceMs of this beat.
        this.#waitingSince = this.#clock.now();
        this.#silence.set(this.silenceMs, () => {
          if (this.#remoteBeats && !this.#silent && this.#waitingSince !== null) {
            this.#silent = true;
            this.onSilence(true);
          }
        });
      }
      this.#beat();
      this.#timer.set(this.intervalMs, tick);
    };
    // The first beat goes at once: the remote shows it beats within a round trip of opening.
    tick();
  }

  /**
   * Frames were written: beats now, outside the schedule, unless a beat is still unanswered (its
   * answer asks again). So what was written is confirmed within a round trip, not a beat's
   * interval, and at most one such beat is in flight.
   */
  confirmSoon(): void {
    if (this.#channel && this.#beats.length === 0 && this.#delivery.mark() > this.#lastMark) this.#beat();
  }

  #beat(): void {
    this.#lastMark = this.#delivery.mark();
    // A remote that has not beaten by the ninth beat never will (an older peer): nothing it
    // received can be confirmed, so nothing is kept for it either.
    if (!this.#remoteBeats && this.#sentBeats >= 8) this.#delivery.confirm(this.#lastMark);
    // A remote that never answers (an older peer) must not grow this: keep the last few.
    if (this.#beats.push({ no: ++this.#sentBeats, at: this.#clock.now(), mark: this.#lastMark }) > 8) this.#beats.shift();
    this.#send(BEAT);
  }

  /**
   * Something arrived on the channel. Returns true when it was a beat or an answer (consumed
   * here), false for a frame the link passes on.
   */
  heard(data: unknown): boolean {
    this.#waitingSince = null;
    this.#silence.clear();
    const beat = data === BEAT;
    if (beat || data === BEAT_ANSWER) this.#remoteBeats = true;
    if (beat) this.#send(BEAT_ANSWER);
    if (data === BEAT_ANSWER) {
      const no = ++this.#answers;
      while (this.#beats.length > 0 && this.#beats[0].no < no) this.#beats.shift();
      const answered = this.#beats[0]?.no === no ? this.#beats.shift() : undefined;
      if (answered) {
        this.#rttMs = this.#clock.now() - answered.at;
        this.#delivery.confirm(answered.mark);
        this.confirmSoon();
      }
    }
    if (this.#silent) {
      this.#silent = false;
      this.onSilence(false);
    }
    return beat || data === BEAT_ANSWER;
  }

  /** Stops beating (the channel closed or the link ends); silence is forgotten. Idempotent. */
  stop(): void {
    this.#timer.clear();
    this.#silence.clear();
    this.#channel = null;
    this.#waitingSince = null;
    this.#silent = false;
    this.#beats.length = 0;
    this.#sentBeats = this.#answers = this.#lastMark = 0;
    this.#rttMs = null;
  }

  #send(data: string): void {
    try {
      this.#channel?.send(data);
    } catch {
      // The channel is closing; its close event stops the heartbeat.
    }
  }
}
