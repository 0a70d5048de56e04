import { MeshError } from './errors.js';

/** A state change as objects with a state machine report it. */
export interface StateChange<S extends string = string> { from: S; to: S; reason: string }

/** Allowed transitions: for each state, the states it may move to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * An explicit state with one writer. Moving to a state the table does not allow throws a
 * `MeshError('illegal-transition')`: that is a bug, and tests see it.
 */
export class StateMachine<S extends string> {
  #current: S;

  readonly #table: TransitionTable<S>;
  readonly #onChange: (from: S, to: S, reason: string) => void;
  readonly #name: unknown;
  constructor(
    initial: S,
    table: TransitionTable<S>,
    onChange: (from: S, to: S, reason: string) => void,
    name = 'state',
  ) {
    this.#table = table;
    this.#onChange = onChange;
    this.#name = name;
    this.#current = initial;
  }

  get state(): S { return this.#current; }

  can(to: S): boolean {
    return this.#table[this.#current].includes(to);
  }

  /** Moves to `to`; returns false (and does nothing) when already there. */
  to(to: S, reason: string): boolean {
    const from = this.#current;
    if (from === to) return false;
    if (!this.#table[from].includes(to)) {
      throw new MeshError('illegal-transition', `${this.#name}: ${from} → ${to} is not allowed (${reason})`);
    }
    this.#current = to;
    this.#onChange(from, to, reason);
    return true;
  }
}
