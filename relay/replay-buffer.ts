import type { ReplayLimits } from './relay-options.js';
import type { ReplaySlice, StoredMessage } from './message-store.js';

/**
 * One room's bounded message history: a FIFO capped by count, bytes and age. The oldest messages
 * go first; sequence numbers stay monotonic, so a gap between a client's last sequence and
 * {@link firstSeq} is exactly what was evicted.
 */
export class ReplayBuffer {
  private items: StoredMessage[] = [];
  private head = 0;
  private heldBytes = 0;
  private nextSeq = 1;

  constructor(private readonly limits: ReplayLimits) {}

  get size(): number { return this.items.length - this.head; }
  get bytes(): number { return this.heldBytes; }
  /** Oldest held sequence number, or the next one to be assigned when empty. */
  get firstSeq(): number { return this.size > 0 ? this.items[this.head].seq : this.nextSeq; }

  append(message: StoredMessage, now: number): void {
    this.items.push(message);
    this.heldBytes += message.bytes;
    this.nextSeq = message.seq + 1;
    this.trim(now);
  }

  /** Messages after `seq`, oldest first. */
  since(seq: number, now: number): ReplaySlice {
    this.trim(now);
    const out: StoredMessage[] = [];
    // Sequence numbers are contiguous, so the start index is computed, not searched.
    const start = Math.max(this.head, this.head + (seq + 1 - this.firstSeq));
    for (let i = start; i < this.items.length; i++) out.push(this.items[i]);
    return { messages: out, firstSeq: this.firstSeq };
  }

  find(from: string, n: number): StoredMessage | undefined {
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const m = this.items[i];
      if (m.from === from && m.n === n) return m;
    }
    return undefined;
  }

  trim(now: number): void {
    const { maxMessages, maxBytes, maxAgeMs } = this.limits;
    while (this.size > 0) {
      const oldest = this.items[this.head];
      const over = this.size > maxMessages || this.heldBytes > maxBytes || now - oldest.at > maxAgeMs;
      if (!over) break;
      this.heldBytes -= oldest.bytes;
      this.items[this.head] = undefined as unknown as StoredMessage;
      this.head++;
    }
    // Compact once the dead prefix dominates, keeping appends amortised O(1).
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
