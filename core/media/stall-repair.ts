import type { Clock } from '../base/clock.js';
import { StateMachine, type StateChange, type TransitionTable } from '../base/state-machine.js';
import type { StallKind } from '../room/feature-types.js';

/**
 * Where the repair of one peer's incoming media stands: `idle` (the peer sends nothing we
 * expect to move), `moving`, one of the four repair steps in escalating order, `failed` (every
 * step was tried; the person is told), and `closed`.
 */
export type RepairState = 'idle' | 'moving' | 'key-frame' | 'renegotiate' | 'ice-restart' | 'recreate' | 'failed' | 'closed';

/** The repair steps, in the order they are tried. */
export const REPAIR_STEPS = ['key-frame', 'renegotiate', 'ice-restart', 'recreate'] as const;
export type RepairStep = (typeof REPAIR_STEPS)[number];

const ANY = ['idle', 'moving', 'closed'] as const;
export const REPAIR_TRANSITIONS: TransitionTable<RepairState> = {
  idle: ['moving', 'closed'],
  // A stall that comes back soon after a repair starts at the step after the one that helped.
  moving: ['idle', 'closed', ...REPAIR_STEPS],
  'key-frame': [...ANY, 'renegotiate'],
  renegotiate: [...ANY, 'ice-restart'],
  'ice-restart': [...ANY, 'recreate'],
  recreate: [...ANY, 'failed'],
  failed: [...ANY],
  closed: [],
};

/** How long each step (in the order of {@link REPAIR_STEPS}) gets to bring the stream back before the next one, ms. */
export const REPAIR_STEP_MS = [1000, 2500, 6000, 12_000];

/** What each repair step does (the media feature's; injected so the machine runs on a fake clock). */
export type RepairActions = Record<RepairStep, (kinds: StallKind[]) => void>;

/** One reading of a peer's incoming media (see {@link StallDetector}). */
export interface StallReading {
  /** The peer says it sends something, and the link is up: its media should move. */
  expected: boolean;
  /** Kinds whose counters have not advanced for the stall time. */
  stalled: StallKind[];
  /** Some expected kind advanced since the last reading. */
  progressed: boolean;
}

/**
 * Repairs one peer's stalled incoming media in escalating steps (see {@link REPAIR_STEPS}):
 * each step gets its {@link REPAIR_STEP_MS} to show progress, then the next is taken. After
 * `recreate` the state is `failed` until the media moves again or the peer stops sending it. A
 * stall within `settleMs` of a repair starts one step further than the last one. Every change
 * goes through {@link REPAIR_TRANSITIONS}; an illegal one throws.
 */
export class StallRepair {
  readonly #machine: StateMachine<RepairState>;
  readonly #clock: Clock;
  readonly #actions: RepairActions;
  readonly #settleMs: number;
  #stepAt = 0;
  /** Index of the next step to take on a new stall. */
  #level = 0;
  #movingSince = 0;
  /** Kinds under repair (the last stalled reading). */
  kinds: StallKind[] = [];

  constructor(clock: Clock, actions: RepairActions, onChange: (c: StateChange<RepairState>) => void, settleMs = 10_000) {
    this.#clock = clock;
    this.#actions = actions;
    this.#settleMs = settleMs;
    this.#machine = new StateMachine<RepairState>('idle', REPAIR_TRANSITIONS, (from, to, reason) => onChange({ from, to, reason }), 'StallRepair');
  }

  get state(): RepairState { return this.#machine.state; }

  /** Feeds one reading; moves, takes a step or escalates when due. */
  update(r: StallReading): void {
    const m = this.#machine;
    const now = this.#clock.now();
    const since = now - this.#stepAt;
    if (m.state === 'closed') return;
    if (!r.expected) {
      this.#level = 0;
      m.to('idle', 'nothing sent');
      return;
    }
    if (m.state === 'idle') this.#moving('sent');
    const i = REPAIR_STEPS.indexOf(m.state as RepairStep);
    if (!r.stalled.length) {
      if (m.state !== 'moving') {
        if (r.progressed) this.#moving(`moving ${since} ms after ${m.state}`);
      } else if (now - this.#movingSince >= this.#settleMs) this.#level = 0;
    } else if (m.state === 'moving') {
      this.#step(this.#level, r.stalled, `${r.stalled} stalled`);
    } else if (i >= 0 && since >= REPAIR_STEP_MS[i]) {
      const why = `no progress in ${since} ms`;
      if (i < 3) this.#step(i + 1, r.stalled, why);
      else m.to('failed', why);
    }
  }

  /** Stops for good. Idempotent. */
  close(): void {
    this.#machine.to('closed', 'closed');
  }

  #step(i: number, kinds: StallKind[], reason: string): void {
    const step = REPAIR_STEPS[Math.min(i, 3)];
    this.kinds = kinds;
    this.#level = REPAIR_STEPS.indexOf(step) + 1;
    this.#stepAt = this.#clock.now();
    this.#machine.to(step, reason);
    this.#actions[step](kinds);
  }

  #moving(reason: string): void {
    this.#movingSince = this.#clock.now();
    this.#machine.to('moving', reason);
  }
}
