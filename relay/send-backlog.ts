/**
 * Frames waiting for one client's socket to drain, oldest first. They are the very strings and
 * buffers the room stores and sends to everyone, so a client that does not read costs references,
 * not encoded copies. Each frame's size is counted once, when it arrives.
 */
export class SendBacklog {
  #frames: Array<string | Buffer> = [];
  #sizes: number[] = [];
  /** Index of the oldest frame still waiting (taken ones are dropped in bulk, not shifted one by one). */
  #head = 0;
  /** Bytes waiting (UTF-8 payloads; the WebSocket framing adds a few bytes per frame). */
  bytes = 0;

  get length(): number { return this.#frames.length - this.#head; }

  push(data: string | Buffer): void {
    const size = Buffer.byteLength(data);
    this.#frames.push(data);
    this.#sizes.push(size);
    this.bytes += size;
  }

  /** The oldest frame, removed; undefined when none waits. */
  shift(): string | Buffer | undefined {
    if (this.#head >= this.#frames.length) return undefined;
    const data = this.#frames[this.#head];
    this.bytes -= this.#sizes[this.#head];
    this.#head++;
    if (this.#head === this.#frames.length) this.clear();
    else if (this.#head >= 1024 && this.#head * 2 >= this.#frames.length) this.#compact();
    return data;
  }

  clear(): void {
    this.#frames = [];
    this.#sizes = [];
    this.#head = 0;
    this.bytes = 0;
  }

  #compact(): void {
    this.#frames = this.#frames.slice(this.#head);
    this.#sizes = this.#sizes.slice(this.#head);
    this.#head = 0;
  }
}
