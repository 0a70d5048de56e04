import { Timer, type Clock } from '../base/clock.js';
import type { SignalingTuning } from './signaling-types.js';

/** What the liveness check needs from the client that owns the socket. */
export interface LivenessHost {
  /** True while the current socket is joined and synced. */
  synced(): boolean;
  /** Sends a ping on the current socket; `force` lets it past the rate pacer. */
  ping(force: boolean): void;
  /** The socket is taken for dead. */
  lost(reason: string): void;
}

/**
 * Whether the relay socket is still alive. Pings every interval; a socket silent for longer than
 * the timeout is given up. A relay that beats is given up after two beat intervals of silence
 * (when that is sooner): its beats arrive whatever our own timers do, so a throttled background
 * tab is not taken for a dead one. A probe checks at once (network or page woke up).
 */
export class RelayLiveness {
  #lastRx = 0;
  /** Frames received so far (a probe succeeds when this moves). */
  #rxCount = 0;
  /** The relay's heartbeat interval (from its welcome), ms; 0 when it sends none. */
  beatMs = 0;
  readonly #pingTimer: Timer;
  readonly #probeTimer: Timer;
  readonly #clock: Clock;
  readonly #tuning: SignalingTuning;
  readonly #host: LivenessHost;

  constructor(clock: Clock, tuning: SignalingTuning, host: LivenessHost) {
    this.#clock = clock;
    this.#tuning = tuning;
    this.#host = host;
    this.#pingTimer = new Timer(clock);
    this.#probeTimer = new Timer(clock);
  }

  /** A frame arrived on the socket. */
  heard(): void {
    this.#lastRx = this.#clock.now();
    this.#rxCount++;
  }

  /** The socket is synced: ping on schedule and watch for silence. */
  start(): void {
    const { pingIntervalMs } = this.#tuning;
    const beat = this.beatMs;
    const pingTimeoutMs = beat > 0 ? Math.min(this.#tuning.pingTimeoutMs, 2 * beat) : this.#tuning.pingTimeoutMs;
    const tick = Math.min(pingIntervalMs, Math.max(1, Math.floor(pingTimeoutMs / (beat > 0 ? 6 : 3))));
    let sinceLastPing = 0;
    const run = () => {
      if (!this.#host.synced()) return;
      if (this.#clock.now() - this.#lastRx >= pingTimeoutMs) {
        this.#host.lost(`no answer from the relay for ${pingTimeoutMs} ms`);
        return;
      }
      sinceLastPing += tick;
      if (sinceLastPing >= pingIntervalMs) {
        sinceLastPing = 0;
        this.#host.ping(true);
      }
      this.#pingTimer.set(tick, run);
    };
    this.#pingTimer.set(tick, run);
  }

  /** Sends a ping now; if nothing at all arrives within `min(pingTimeoutMs, 5 s)`, the socket is lost. */
  probe(): void {
    if (!this.#host.synced()) return;
    const received = this.#rxCount;
    this.#host.ping(false);
    this.#probeTimer.set(Math.min(this.#tuning.pingTimeoutMs, 5000), () => {
      if (this.#host.synced() && this.#rxCount === received) this.#host.lost('no answer to a probe');
    });
  }

  /** The socket went away: no more pings or probes. Idempotent. */
  stop(): void {
    this.#pingTimer.clear();
    this.#probeTimer.clear();
  }
}
