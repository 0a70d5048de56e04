import { MeshError } from '../base/errors.js';
import { dataBytes } from '../protocol/frame-validation.js';

/** A room message waiting for the relay's acknowledgement. */
export interface OutboxEntry {
  n: number;
  data: unknown;
  sentAt: number;
  bytes: number;
}

export interface OutboxLimits {
  /** Unacknowledged messages kept. Default 1000. */
  maxMessages: number;
  /** Bytes of unacknowledged message data kept. Default 4 MiB. */
  maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxMessages: 1000, maxBytes: 4 * 1024 * 1024 };

/**
 * Publishes the relay has not acknowledged yet, in send order. An entry leaves only when the
 * relay acknowledges it, so everything in here is resent after each reconnect. Bounded: when full,
 * {@link add} throws `outbox-full` and nothing is taken, so the caller can tell the user.
 */
export class Outbox {
  readonly #entries = new Map<number, OutboxEntry>();
  #heldBytes = 0;
  /** Highest `n` any relay has acknowledged. */
  ackedN = 0;

  readonly #limits: OutboxLimits;
  constructor(limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS) {
    this.#limits = limits;
  }

  get size(): number { return this.#entries.size; }
  get bytes(): number { return this.#heldBytes; }

  /** Throws `outbox-full` when one more entry of `bytes` would not fit. */
  assertRoom(bytes: number): void {
    if (this.#entries.size + 1 > this.#limits.maxMessages || this.#heldBytes + bytes > this.#limits.maxBytes) {
      throw new MeshError('outbox-full', `${this.#entries.size} messages (${this.#heldBytes} bytes) are waiting for the relay; wait until it is reachable again`);
    }
  }

  add(n: number, data: unknown, sentAt: number): OutboxEntry {
    const bytes = dataBytes(data);
    this.assertRoom(bytes);
    const entry = { n, data, sentAt, bytes };
    this.#entries.set(n, entry);
    this.#heldBytes += bytes;
    return entry;
  }

  /** The relay stored message `n`; returns true when it was still waiting. */
  ack(n: number): boolean {
    if (n > this.ackedN) this.ackedN = n;
    const entry = this.#entries.get(n);
    if (!entry) return false;
    this.#entries.delete(n);
    this.#heldBytes -= entry.bytes;
    return true;
  }

  has(n: number): boolean { return this.#entries.has(n); }

  /** Entries in send order. */
  pending(): OutboxEntry[] {
    return [...this.#entries.values()];
  }
}
