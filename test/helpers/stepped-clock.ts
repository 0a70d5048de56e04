import type { RelayClock } from '../../relay/contracts.js';

/**
 * A clock for the relay at real time plus an offset that the test moves forward: `advance(ms)`
 * jumps ahead and runs every timer that fell due, in order. Grace periods, message ages and
 * token expiry then pass in microseconds of real time. (Real time keeps running underneath, so
 * sockets and Redis behave as usual.)
 */
export class SteppedClock implements RelayClock {
  private offset = 0;
  private timers = new Map<number, { due: number; fn: () => void }>();
  private next = 1;

  now(): number { return Date.now() + this.offset; }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { due: this.now() + ms, fn });
    return id;
  }

  clearTimeout(id: unknown): void { this.timers.delete(id as number); }

  /** Timers not yet run. */
  get pending(): number { return this.timers.size; }

  advance(ms: number): void {
    this.offset += ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.due <= this.now()).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].fn();
    }
  }
}
