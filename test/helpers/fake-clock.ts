import type { Clock, TimerId } from '../../core/base/clock.js';

interface Scheduled { id: number; due: number; fn: () => void; delay: number }

/**
 * A clock whose time moves only when the test says so. Timers run in due order during
 * {@link advance}; `scheduled` shows what is pending (with the delay each was set for).
 */
export class FakeClock implements Clock {
  private t = 1_000_000;
  private nextId = 1;
  private timers: Scheduled[] = [];
  /** Every delay ever scheduled, in order (for backoff assertions). */
  readonly delays: number[] = [];

  now(): number { return this.t; }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, due: this.t + Math.max(0, ms), fn, delay: ms });
    this.delays.push(ms);
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.timers = this.timers.filter((x) => x.id !== id);
  }

  get pending(): number { return this.timers.length; }

  /** Pending delays, soonest first. */
  get scheduled(): number[] { return [...this.timers].sort((a, b) => a.due - b.due).map((x) => x.delay); }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.due > end) break;
      this.timers.shift();
      this.t = next.due;
      next.fn();
    }
    this.t = end;
  }
}
