import { sha256, toHex } from './digest.js';
import type { TimerId } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import type { FileFrame } from './file-frames.js';
import { TransferBase, type TransferHost } from './file-transfer-base.js';
import { FILE_FLOW } from './file-types.js';

/**
 * A file arriving from one sender. Chunks are taken strictly in order (an earlier one is a
 * leftover of an older connection and ignored; a later one means one went missing, and the
 * sender is asked to go on from it), hashed, and handed to the browser as small `Blob`s, so the
 * page's heap holds at most the sender's window. On `end` the digest over the chunk digests is
 * compared with the sender's before the file is offered for download.
 */
export class IncomingTransfer extends TransferBase {
  readonly chunkSize: number;
  readonly chunks: number;
  /** Chunks held and hashed. */
  #next = 0;
  /** Chunks taken (hashing may still be under way). */
  #expect = 0;
  readonly #parts: Blob[] = [];
  readonly #digests: Uint8Array<ArrayBuffer>;
  /** Chunk work in order: hashing is asynchronous, delivery is not. */
  #work: Promise<void> = Promise.resolve();
  #cancelPending = false;
  /** The chunk we asked the sender to go on from after a gap (-1: none asked), asked again while nothing comes. */
  #askedFrom = -1;
  #askAgain: TimerId | null = null;
  /** The verified file. */
  blob: Blob | null = null;

  readonly #received: (t: IncomingTransfer) => void;
  constructor(
    offer: Extract<FileFrame, { t: 'offer' }>,
    peer: string,
    host: TransferHost,
    received: (t: IncomingTransfer) => void,
  ) {
    super(offer.id, 'in', peer, { name: offer.name, size: offer.size, type: offer.type }, host);
    this.#received = received;
    this.chunkSize = offer.chunkSize;
    this.chunks = Math.ceil(offer.size / offer.chunkSize);
    this.#digests = new Uint8Array(this.chunks * 32);
  }

  accept(): void {
    if (this.status !== 'offered') return;
    this.to('active', 'accepted');
    this.sendControl({ t: 'accept', from: 0 });
  }

  /** Declines the offer (`too-large` when it exceeds what this member accepts). */
  reject(reason: 'declined' | 'too-large' = 'declined'): void {
    if (this.status !== 'offered') return;
    this.sendControl({ t: 'reject', reason });
    this.to('rejected', reason, reason === 'too-large'
      ? new MeshError('file-too-large', `"${this.meta.name}" is larger than this room accepts`)
      : new MeshError('file-rejected', `you declined "${this.meta.name}"`));
  }

  cancel(): void {
    if (this.final) return;
    this.#cancelPending = !this.sendControl({ t: 'cancel' });
    this.#end('cancelled', new MeshError('file-cancelled', `"${this.meta.name}" was cancelled`));
  }

  /** The sender left the room (or we did: `message` says so). */
  interrupt(message = `the sender left before "${this.meta.name}" arrived`): void {
    this.#end('interrupted', new MeshError('file-interrupted', message));
  }

  channelOpen(): void {
    if (this.#cancelPending) this.#cancelPending = !this.sendControl({ t: 'cancel' });
  }

  channelClosed(): void {
    this.#askedFrom = -1; // the reoffer on the next channel says where we stand
    this.#stopAsking();
    if (this.status === 'active') this.to('paused', 'file channel closed');
  }

  /** The sender (re)offered: answer with where we stand. */
  reoffered(): void {
    switch (this.status) {
      case 'active':
      case 'paused':
        void this.#work.then(() => {
          if (this.status !== 'active' && this.status !== 'paused') return;
          this.#expect = this.#next;
          this.#askedFrom = -1;
          this.#stopAsking();
          this.to('active', `resuming from chunk ${this.#next}`);
          this.sendControl({ t: 'accept', from: this.#next });
        });
        return;
      case 'done': this.sendControl({ t: 'result', ok: true }); return;
      case 'failed': this.sendControl({ t: 'result', ok: false }); return;
      case 'rejected': this.sendControl({ t: 'reject', reason: 'declined' }); return;
      case 'cancelled': this.sendControl({ t: 'cancel' }); return;
      default: return; // `offered`: the user is still deciding; `verifying`: the verdict follows
    }
  }

  handle(frame: FileFrame): void {
    if (frame.t === 'cancel') {
      this.#end('cancelled', new MeshError('file-cancelled', `the sender cancelled "${this.meta.name}"`));
    } else if (frame.t === 'end' && (this.status === 'active' || this.status === 'paused')) {
      void this.#work.then(() => {
        if (this.#next === this.chunks || this.status !== 'active') return this.#verify(frame.digest);
        // The sender sent everything, but the last chunks never came: ask for them (unless asked already).
        if (this.#askedFrom !== this.#next) this.#ask(this.#next);
      });
    }
  }

  /** A chunk; taken only when it is the next one expected. */
  chunk(index: number, bytes: Uint8Array<ArrayBuffer>): void {
    if (this.status !== 'active' || index >= this.chunks) return;
    if (index > this.#expect && this.#askedFrom !== this.#expect) this.#ask(this.#expect);
    if (index !== this.#expect) return;
    if (index === this.#askedFrom) {
      this.#askedFrom = -1; // what we asked for came
      this.#stopAsking();
    }
    const size = Math.min(this.chunkSize, this.meta.size - index * this.chunkSize);
    if (bytes.byteLength !== size) {
      this.sendControl({ t: 'result', ok: false });
      this.#end('failed', new MeshError('file-hash-mismatch', `chunk ${index} of "${this.meta.name}" had ${bytes.byteLength} bytes, expected ${size}`));
      return;
    }
    this.#expect++;
    this.#work = this.#work.then(async () => {
      const digest = await sha256(bytes);
      if (this.final || index !== this.#next) return;
      this.#digests.set(digest, index * 32);
      this.#parts.push(new Blob([bytes]));
      this.#next++;
      if (this.#next % FILE_FLOW.ackEveryChunks === 0 || this.#next === this.chunks) this.sendControl({ t: 'ack', next: this.#next });
      this.progress(Math.min(this.#next * this.chunkSize, this.meta.size));
    });
  }

  /**
   * Asks the sender to go on from chunk `from`: a later chunk arrived first, or the sender ended
   * without it, so it went missing on a channel that stayed open (Firefox ESR 140 was seen losing a
   * 128 KiB message after a UDP outage; the transfer then waited forever). Asked again every
   * `FILE_FLOW.askAgainMs` while it does not come (the ask itself, or the chunk again, may be lost).
   */
  #ask(from: number): void {
    this.#askedFrom = from;
    this.sendControl({ t: 'accept', from });
    this.#stopAsking();
    this.#askAgain = this.host.clock.setTimeout(() => {
      this.#askAgain = null;
      if (this.status === 'active' && this.#askedFrom === from && this.#expect === from) this.#ask(from);
    }, FILE_FLOW.askAgainMs);
  }

  #stopAsking(): void {
    if (this.#askAgain !== null) this.host.clock.clearTimeout(this.#askAgain);
    this.#askAgain = null;
  }

  async #verify(expected: string): Promise<void> {
    if (this.final || this.status === 'verifying' || this.#next !== this.chunks) return;
    this.#stopAsking();
    this.to('verifying', 'all chunks arrived');
    const actual = toHex(await sha256(this.#digests));
    if (this.final) return;
    if (actual !== expected) {
      this.sendControl({ t: 'result', ok: false });
      this.#end('failed', new MeshError('file-hash-mismatch', `"${this.meta.name}" arrived with a different SHA-256 digest`));
      return;
    }
    this.blob = new Blob(this.#parts, { type: this.meta.type });
    this.#parts.length = 0;
    this.sendControl({ t: 'result', ok: true });
    this.to('done', 'digest verified');
    this.#received(this);
  }

  #end(status: 'cancelled' | 'failed' | 'interrupted', error: MeshError): void {
    this.#stopAsking();
    this.#parts.length = 0;
    this.to(status, error.message, error);
  }
}
