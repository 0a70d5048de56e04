/** What the budget needs of a room's buffer (implemented by `ReplayBuffer`). */
export interface BudgetedBuffer {
  readonly firstSeq: number;
  holds(seq: number): boolean;
  dropOldest(): void;
}

/**
 * The relay-wide cap on replay bytes: every room's buffer is bounded on its own, and all of them
 * together stay under `maxBytes`. Past it, the oldest message of the whole relay goes first
 * (a queue of appends in order), so busy rooms cannot push a quiet room's recent history out
 * before their own older one.
 */
export class ReplayBudget {
  private total = 0;
  private live = 0;
  private queue: Array<{ buffer: BudgetedBuffer; seq: number } | undefined> = [];
  private head = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held across every room. */
  get bytes(): number { return this.total; }

  added(buffer: BudgetedBuffer, message: { seq: number; bytes: number }): void {
    this.total += message.bytes;
    this.live++;
    this.queue.push({ buffer, seq: message.seq });
    while (this.total > this.maxBytes && this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      // The entry is that buffer's oldest message when still held (each buffer is a FIFO too).
      if (e.buffer.holds(e.seq) && e.buffer.firstSeq === e.seq) e.buffer.dropOldest();
    }
    this.compact();
  }

  released(bytes: number): void {
    this.total -= bytes;
    this.live--;
  }

  /** Drops entries of messages that left their buffer by themselves, so the queue stays near the live count. */
  private compact(): void {
    const length = this.queue.length - this.head;
    if (length <= 2 * this.live + 1024) return;
    this.queue = this.queue.slice(this.head).filter((e) => e !== undefined && e.buffer.holds(e.seq));
    this.head = 0;
  }
}
