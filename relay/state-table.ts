/**
 * Explicit states of the relay's long-lived objects, as transition tables. The same idea as
 * `core/state-machine.ts` (the relay may import only `core/protocol.ts`, so it has this small
 * copy): one writer per state, and a move the table does not allow throws — a bug tests see.
 */

/** Allowed transitions: for each state, the states it may move to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** An illegal transition: always a bug in the relay. */
export class IllegalTransition extends Error {
  constructor(readonly machine: string, readonly from: string, readonly to: string) {
    super(`${machine}: ${from} → ${to} is not allowed`);
  }
}

export class StateMachine<S extends string> {
  private current: S;

  constructor(initial: S, private readonly table: TransitionTable<S>, private readonly name: string) {
    this.current = initial;
  }

  get state(): S { return this.current; }

  is(...states: S[]): boolean { return states.includes(this.current); }

  /** Moves to `to`; false (and nothing happens) when already there; throws when not allowed. */
  to(to: S): boolean {
    const from = this.current;
    if (from === to) return false;
    if (!this.table[from].includes(to)) throw new IllegalTransition(this.name, from, to);
    this.current = to;
    return true;
  }
}

/**
 * The relay server: `listen()` once, `close()` any time after (idempotent).
 * A failed `listen()` (port in use) ends in `failed`; `close()` still releases everything.
 */
export type ServerState = 'new' | 'starting' | 'listening' | 'failed' | 'closing' | 'closed';
export const SERVER_TRANSITIONS: TransitionTable<ServerState> = {
  new: ['starting', 'closing'],
  starting: ['listening', 'failed', 'closing'],
  listening: ['closing'],
  failed: ['closing'],
  closing: ['closed'],
  closed: [],
};

/**
 * One client socket: it must join first; while a join is under way nothing else is handled;
 * a leave ends it; `closed` is final (the socket is gone, or the relay closed it).
 */
export type ConnectionState = 'awaiting-join' | 'joining' | 'joined' | 'leaving' | 'closed';
export const CONNECTION_TRANSITIONS: TransitionTable<ConnectionState> = {
  'awaiting-join': ['joining', 'closed'],
  joining: ['joined', 'closed'],
  joined: ['leaving', 'closed'],
  leaving: ['closed'],
  closed: [],
};

/**
 * A member of an in-memory room: `online` with a socket, in its `grace` period without one,
 * and `gone` once it left, timed out or was replaced (final).
 */
export type MemberState = 'online' | 'grace' | 'gone';
export const MEMBER_TRANSITIONS: TransitionTable<MemberState> = {
  online: ['grace', 'gone'],
  grace: ['online', 'gone'],
  gone: [],
};
