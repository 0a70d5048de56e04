import type { ReplayLimits } from './relay-options.js';
import type { MessageStore, ReplaySlice, StoredMessage } from './message-store.js';
import { ReplayBuffer } from './replay-buffer.js';

/** The default store: one {@link ReplayBuffer} per room in this process. */
export class MemoryMessageStore implements MessageStore {
  private readonly rooms = new Map<string, ReplayBuffer>();

  constructor(private readonly limits: ReplayLimits) {}

  async append(room: string, message: StoredMessage, now: number): Promise<void> {
    let buffer = this.rooms.get(room);
    if (!buffer) this.rooms.set(room, (buffer = new ReplayBuffer(this.limits)));
    buffer.append(message, now);
  }

  async since(room: string, seq: number, now: number): Promise<ReplaySlice> {
    const buffer = this.rooms.get(room);
    return buffer ? buffer.since(seq, now) : { messages: [], firstSeq: seq + 1 };
  }

  async find(room: string, from: string, n: number): Promise<StoredMessage | undefined> {
    return this.rooms.get(room)?.find(from, n);
  }

  async trim(room: string, now: number): Promise<void> {
    this.rooms.get(room)?.trim(now);
  }

  async dropRoom(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  totalBytes(): number {
    let sum = 0;
    for (const b of this.rooms.values()) sum += b.bytes;
    return sum;
  }

  /** Messages held for a room (tests and the state endpoint). */
  heldCount(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
