import type { ReplayLimits } from './relay-options.js';
import type { ReplayBudget } from './replay-budget.js';

/**
 * A stored room message: its frame serialised once, and what the buffer needs to bound and find
 * it. The parsed data is not kept (a parsed `[{},{},…]` costs many times its JSON).
 */
export interface StoredMessage {
  /** Room sequence number, 1-based and gap-free within an epoch. */
  readonly seq: number;
  /** Sender peer id and message number (to acknowledge a resent publish). */
  readonly from: string;
  readonly n: number;
  /** Relay receive time, ms (for the age limit). */
  readonly at: number;
  /** Serialized size of the message data, counted against the byte limits. */
  readonly bytes: number;
  /** The message frame as sent to members. */
  readonly json: string;
}

/**
 * One room's bounded message history: a FIFO capped by count, bytes and age, and by the relay's
 * byte budget across all rooms. The oldest messages go first; sequence numbers stay contiguous,
 * so a gap between a client's last sequence and {@link firstSeq} is exactly what was evicted.
 */
export class ReplayBuffer {
  private items: Array<StoredMessage | undefined> = [];
  private head = 0;
  private heldBytes = 0;
  private nextSeq: number;

  constructor(private readonly limits: ReplayLimits, private readonly budget: ReplayBudget | null = null, firstSeq = 1) {
    this.nextSeq = firstSeq;
  }

  get size(): number { return this.items.length - this.head; }
  get bytes(): number { return this.heldBytes; }
  /** Oldest held sequence number, or the next one to be assigned when empty. */
  get firstSeq(): number { return this.size > 0 ? this.items[this.head]!.seq : this.nextSeq; }

  /** True while the message with this sequence number is held. */
  holds(seq: number): boolean { return this.size > 0 && seq >= this.firstSeq && seq < this.nextSeq; }

  append(message: StoredMessage, now: number): void {
    this.items.push(message);
    this.heldBytes += message.bytes;
    this.nextSeq = message.seq + 1;
    this.trim(now);
    this.budget?.added(this, message);
  }

  /** Messages after `seq`, oldest first. */
  since(seq: number, now: number): StoredMessage[] {
    this.trim(now);
    const out: StoredMessage[] = [];
    // Sequence numbers are contiguous, so the start index is computed, not searched.
    const start = Math.max(this.head, this.head + (seq + 1 - this.firstSeq));
    for (let i = start; i < this.items.length; i++) out.push(this.items[i]!);
    return out;
  }

  find(from: string, n: number): StoredMessage | undefined {
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const m = this.items[i]!;
      if (m.from === from && m.n === n) return m;
    }
    return undefined;
  }

  trim(now: number): void {
    const { maxMessages, maxBytes, maxAgeMs } = this.limits;
    while (this.size > 0) {
      const oldest = this.items[this.head]!;
      if (this.size <= maxMessages && this.heldBytes <= maxBytes && now - oldest.at <= maxAgeMs) break;
      this.dropOldest();
    }
  }

  /** Evicts the oldest message (the relay-wide budget calls this). */
  dropOldest(): void {
    if (this.size === 0) return;
    const oldest = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
    this.heldBytes -= oldest.bytes;
    this.budget?.released(oldest.bytes);
    // Compact once the dead prefix dominates, keeping appends amortised O(1).
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets everything (the room is gone). */
  clear(): void {
    while (this.size > 0) this.dropOldest();
  }
}
