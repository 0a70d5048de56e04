/** A message this peer sent, kept so that peers who missed it can ask for it again. */
export interface SentMessage { n: number; data: unknown; sentAt: number; bytes: number }

export interface SentLogLimits {
  /** Messages kept. Default 1000. */
  maxMessages: number;
  /** Bytes kept. Default 4 MiB. */
  maxBytes: number;
}

export const DEFAULT_SENT_LOG_LIMITS: SentLogLimits = { maxMessages: 1000, maxBytes: 4 * 1024 * 1024 };

/**
 * This peer's recent messages, oldest evicted first. It lets a receiver that found a gap (after a
 * relay restart lost the buffer, or the buffer evicted what it missed) get the messages from
 * their sender directly — so the relay buffer is not the only copy.
 */
export class SentLog {
  #items: SentMessage[] = [];
  #bytes = 0;

  readonly #limits: SentLogLimits;
  constructor(limits: SentLogLimits = DEFAULT_SENT_LOG_LIMITS) {
    this.#limits = limits;
  }

  add(message: SentMessage): void {
    this.#items.push(message);
    this.#bytes += message.bytes;
    while (this.#items.length > this.#limits.maxMessages || (this.#bytes > this.#limits.maxBytes && this.#items.length > 1)) {
      this.#bytes -= this.#items.shift()!.bytes;
    }
  }

  /** Messages `fromN..toN` still held, and the sub-ranges no longer held. */
  range(fromN: number, toN: number): { messages: SentMessage[]; missing: Array<[number, number]> } {
    const messages = this.#items.filter((m) => m.n >= fromN && m.n <= toN);
    const missing: Array<[number, number]> = [];
    let expect = fromN;
    for (const m of messages) {
      if (m.n > expect) missing.push([expect, m.n - 1]);
      expect = m.n + 1;
    }
    if (expect <= toN) missing.push([expect, toN]);
    return { messages, missing };
  }
}
