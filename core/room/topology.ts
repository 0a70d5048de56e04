import { MeshError } from '../base/errors.js';

/** Where a room's media goes: over the member links, or through the relay's SFU. */
export type Transport = 'mesh' | 'sfu';
export type TopologyMode = 'auto' | 'mesh' | 'sfu';

/**
 * Decides where a room's media goes, from the `mode` option and what the relay offers. `mesh`
 * stays on the links. `sfu` uses the relay's SFU (a relay without one is reported as
 * `sfu-unavailable` and the room stays a mesh). `auto` is a mesh until the room has more members
 * than the relay's mesh limit, or a peer says it already sends through the SFU; then it moves, and
 * stays until we leave (no flapping when people come and go around the limit). A newcomer to a
 * room that moved follows its peers as soon as one tells it.
 */
export class Topology {
  readonly #mode: TopologyMode;
  readonly #moved: () => void;
  readonly #error: (e: MeshError) => void;
  #transport: Transport;
  /** The relay's mesh limit; null when it has no SFU (or before its welcome). */
  #meshLimit: number | null = null;

  /** This page's own mesh limit (the lower of it and the relay's counts). */
  readonly #pageLimit: number;

  constructor(mode: TopologyMode, moved: () => void, error: (e: MeshError) => void, pageLimit = Infinity) {
    this.#mode = mode;
    this.#pageLimit = pageLimit;
    this.#moved = moved;
    this.#error = error;
    this.#transport = mode === 'sfu' ? 'sfu' : 'mesh';
  }

  get transport(): Transport { return this.#transport; }
  /** True when the relay has an SFU we may move to (a mesh limit is then not this page's to enforce). */
  get sfuPossible(): boolean { return this.#mode !== 'mesh' && this.#meshLimit !== null; }

  /** The relay's welcome: whether it has an SFU, and how many members the room has with us. */
  welcome(sfu: { meshLimit: number } | undefined, members: number): void {
    this.#meshLimit = sfu ? Math.min(sfu.meshLimit, this.#pageLimit) : null;
    if (this.#mode === 'sfu' && !sfu && this.#transport === 'sfu') {
      this.#transport = 'mesh';
      this.#error(new MeshError('sfu-unavailable', 'this relay has no SFU (start it with --sfu-url): media goes peer to peer'));
    }
    this.size(members);
  }

  /** The room has `members` members with us: past the mesh limit, `auto` moves to the SFU. */
  size(members: number): void {
    if (this.#mode === 'auto' && this.#meshLimit !== null && members > this.#meshLimit) this.#move();
  }

  /** A peer says it sends through the SFU: `auto` follows it. */
  peerOnSfu(): void {
    if (this.#mode === 'auto' && this.#meshLimit !== null) this.#move();
  }

  /** We left: the next join decides afresh. */
  reset(): void {
    this.#transport = this.#mode === 'sfu' ? 'sfu' : 'mesh';
    this.#meshLimit = null;
  }

  #move(): void {
    if (this.#transport === 'sfu') return;
    this.#transport = 'sfu';
    this.#moved();
  }
}
