/** Bounds of a data-channel send queue. */
export interface SendQueueLimits {
  /** Frames held while the channel is closed or full. Default 2000. */
  maxFrames: number;
  /** Stop writing while the channel buffers more than this, bytes. Default 1 MiB. */
  highWaterBytes: number;
  /** Resume writing when the channel's buffer falls to this, bytes. Default 256 KiB. */
  lowWaterBytes: number;
}

export const DEFAULT_SEND_QUEUE_LIMITS: SendQueueLimits = {
  maxFrames: 2000,
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
};

/** The part of `RTCDataChannel` the queue uses. */
export interface ChannelLike {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: string): void;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow', listener: () => void): void;
}

interface Item { json: string; droppable: boolean }

/**
 * Frames for one data channel. While the channel is not open, frames wait here; once it is, they
 * are written in order, pausing whenever the channel buffers more than the high-water mark and
 * resuming on `bufferedamountlow` — no timers, no sleeps.
 *
 * A durable frame written to a channel is kept until the remote confirms it ({@link confirm}: the
 * heartbeat's answer to a beat written after it). A channel that goes away first (its connection
 * failed or was replaced) may have taken the frame with it, so {@link detach} puts every
 * unconfirmed frame back at the front, for the next channel: durable frames arrive at least once
 * (the room's inbox drops copies), droppable ones at most once.
 *
 * When full, the oldest droppable frame (best-effort app data) goes first. Durable room messages
 * also travel through the relay, so dropping one here delays it but never loses it.
 */
export class SendQueue {
  #items: Item[] = [];
  #head = 0;
  /** Durable frames written to the channel that the remote has not confirmed yet, oldest first. */
  #unconfirmed: Item[] = [];
  #unconfirmedChars = 0;
  /** Durable frames ever written (the marks {@link confirm} is given count these). */
  #written = 0;
  #channel: ChannelLike | null = null;
  readonly #onLow = () => this.flush();
  /** Frames dropped because the queue was full. */
  dropped = 0;

  readonly #limits: SendQueueLimits;
  constructor(limits: SendQueueLimits = DEFAULT_SEND_QUEUE_LIMITS) {
    this.#limits = limits;
  }

  get length(): number { return this.#items.length - this.#head; }

  /** Starts writing to `channel` (call again after the channel is replaced). */
  attach(channel: ChannelLike): void {
    this.detach();
    this.#channel = channel;
    channel.bufferedAmountLowThreshold = this.#limits.lowWaterBytes;
    channel.addEventListener('bufferedamountlow', this.#onLow);
    this.flush();
  }

  /** Stops writing; frames the remote has not confirmed go back to the front of the queue. */
  detach(): void {
    this.#channel?.removeEventListener('bufferedamountlow', this.#onLow);
    this.#channel = null;
    if (this.#unconfirmed.length === 0) return;
    this.#items = this.#unconfirmed.concat(this.#items.slice(this.#head));
    this.#head = 0;
    this.#unconfirmed = [];
    this.#unconfirmedChars = 0;
    while (this.length > this.#limits.maxFrames) this.#dropOne();
  }

  /** How many durable frames have been written so far: the mark to {@link confirm} later. */
  get written(): number { return this.#written; }

  /** The remote has received every durable frame written before `mark`. */
  confirm(mark: number): void {
    for (let done = mark - (this.#written - this.#unconfirmed.length); done > 0; done--) this.#forget();
  }

  #forget(): void {
    this.#unconfirmedChars -= this.#unconfirmed.shift()!.json.length;
  }

  push(json: string, droppable: boolean): void {
    this.#items.push({ json, droppable });
    if (this.length > this.#limits.maxFrames) this.#dropOne();
    this.flush();
  }

  /** Writes queued frames while the channel is open and below the high-water mark. */
  flush(): void {
    const ch = this.#channel;
    if (!ch) return;
    while (this.length > 0 && ch.readyState === 'open' && ch.bufferedAmount <= this.#limits.highWaterBytes) {
      const item = this.#items[this.#head];
      try {
        ch.send(item.json);
      } catch {
        return; // the channel is closing; keep the frame for the next one
      }
      this.#items[this.#head++] = undefined as unknown as Item;
      if (!item.droppable) {
        this.#written++;
        this.#unconfirmed.push(item);
        this.#unconfirmedChars += item.json.length;
        // Kept within the queue's limits (counting characters against highWaterBytes): beyond them
        // the oldest frames lose their second chance and are at most once again.
        while (this.#unconfirmed.length > this.#limits.maxFrames || this.#unconfirmedChars > this.#limits.highWaterBytes) this.#forget();
      }
    }
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#unconfirmed = [];
    this.#unconfirmedChars = 0;
  }

  #dropOne(): void {
    let victim = this.#head;
    for (let i = this.#head; i < this.#items.length; i++) {
      if (this.#items[i].droppable) { victim = i; break; }
    }
    this.#items.splice(victim, 1);
    this.dropped++;
  }
}
