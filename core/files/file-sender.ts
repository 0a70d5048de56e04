import { sha256, toHex } from './digest.js';
import { MeshError } from '../base/errors.js';
import { encodeChunk, type FileFrame } from './file-frames.js';
import { TransferBase, type TransferHost } from './file-transfer-base.js';
import { FILE_FLOW } from './file-types.js';

/**
 * The file being sent, shared by its receivers: read a chunk at a time with `slice()` (never
 * whole), each chunk's SHA-256 kept (32 bytes per chunk) for the file digest.
 */
export class SourceFile {
  readonly chunks: number;
  readonly #digests: Uint8Array<ArrayBuffer>;
  readonly #known: Uint8Array;

  constructor(readonly blob: Blob, readonly chunkSize: number) {
    this.chunks = Math.ceil(blob.size / chunkSize);
    this.#digests = new Uint8Array(this.chunks * 32);
    this.#known = new Uint8Array(this.chunks);
  }

  async read(index: number): Promise<ArrayBuffer> {
    const bytes = await this.blob.slice(index * this.chunkSize, (index + 1) * this.chunkSize).arrayBuffer();
    if (!this.#known[index]) {
      this.#digests.set(await sha256(bytes), index * 32);
      this.#known[index] = 1;
    }
    return bytes;
  }

  /** SHA-256 over the chunk digests in order (reads any chunk not hashed yet). */
  async digest(): Promise<string> {
    for (let i = 0; i < this.chunks; i++) if (!this.#known[i]) await this.read(i);
    return toHex(await sha256(this.#digests));
  }
}

/**
 * One receiver of a file. Streams chunks over the file channel while the receiver's window
 * and the channel's buffer have room; on every (re)accept it continues from the chunk the
 * receiver says it holds, so a healed or replaced connection neither loses nor repeats bytes.
 */
export class OutgoingTransfer extends TransferBase {
  /** Next chunk to send. */
  #next = 0;
  /** Chunks the receiver holds. */
  #acked = 0;
  /** Each pump run has a token; a newer run (or a stop) makes older ones return. */
  #token = 0;
  #wake: (() => void) | null = null;
  /** Our cancel has not reached the receiver yet (its channel was down). */
  #cancelPending = false;

  constructor(readonly source: SourceFile, id: string, peer: string, meta: { name: string; type: string }, host: TransferHost) {
    super(id, 'out', peer, { ...meta, size: source.blob.size }, host);
  }

  /** The channel to the receiver opened: (re)offer, or deliver a cancel it missed. */
  channelOpen(): void {
    if (this.#cancelPending) {
      this.#cancelPending = !this.sendControl({ t: 'cancel' });
      return;
    }
    if (this.final) return;
    const { name, size, type } = this.meta;
    this.sendControl({ t: 'offer', name, size, type, chunkSize: this.source.chunkSize });
  }

  /** The channel went away: stop streaming until the receiver accepts again. */
  channelClosed(): void {
    this.#token++;
    this.poke();
    if (this.status === 'active' || this.status === 'verifying') this.to('paused', 'file channel closed');
  }

  /** The channel drained below its low-water mark, or an ack arrived: stream on. */
  poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  handle(frame: FileFrame): void {
    if (this.final) return;
    switch (frame.t) {
      case 'accept':
        this.#next = Math.min(frame.from, this.source.chunks);
        this.#acked = this.#next;
        this.progress(Math.min(this.#next * this.source.chunkSize, this.meta.size));
        this.to('active', `receiver holds ${this.#next} chunks`);
        void this.#pump();
        return;
      case 'ack':
        this.#acked = Math.max(this.#acked, Math.min(frame.next, this.source.chunks));
        this.progress(Math.min(this.#acked * this.source.chunkSize, this.meta.size));
        this.poke();
        return;
      case 'reject':
        this.to('rejected', `receiver: ${frame.reason}`, frame.reason === 'too-large'
          ? new MeshError('file-too-large', `"${this.meta.name}" is larger than the receiver accepts`)
          : new MeshError('file-rejected', `the receiver declined "${this.meta.name}"`));
        return;
      case 'cancel':
        this.#stop('cancelled', new MeshError('file-cancelled', `the receiver cancelled "${this.meta.name}"`));
        return;
      case 'result':
        if (frame.ok) {
          this.#token++; // a resend still under way stops: the receiver has it all
          this.poke();
          this.progress(this.meta.size);
          this.to('done', 'receiver verified the digest');
        } else {
          this.#stop('failed', new MeshError('file-hash-mismatch', `"${this.meta.name}" arrived with a different SHA-256 digest`));
        }
        return;
      default:
        return;
    }
  }

  /** Cancels from this side; the receiver is told now, or when its channel reopens. */
  cancel(): void {
    if (this.final) return;
    this.#cancelPending = !this.sendControl({ t: 'cancel' });
    this.#stop('cancelled', new MeshError('file-cancelled', `"${this.meta.name}" was cancelled`));
  }

  /** The receiver left the room (or we did: `message` says so). */
  interrupt(message = `the receiver left before "${this.meta.name}" arrived`): void {
    this.#stop('interrupted', new MeshError('file-interrupted', message));
  }

  #stop(status: 'cancelled' | 'failed' | 'interrupted', error: MeshError): void {
    this.#token++;
    this.poke();
    this.to(status, error.message, error);
  }

  async #pump(): Promise<void> {
    const token = ++this.#token;
    this.poke();
    const live = () => this.#token === token && this.status === 'active';
    while (live()) {
      const ch = this.channel();
      if (!ch) return;
      if (this.#next >= this.source.chunks) {
        const digest = await this.source.digest();
        if (!live() || !this.sendControl({ t: 'end', digest })) return;
        this.to('verifying', 'all chunks sent');
        return;
      }
      if (ch.bufferedAmount > FILE_FLOW.highWaterBytes || this.#next - this.#acked >= FILE_FLOW.windowChunks) {
        await new Promise<void>((resolve) => { this.#wake = resolve; });
        continue;
      }
      const index = this.#next;
      const bytes = await this.source.read(index);
      if (!live() || this.channel() !== ch || this.#next !== index) continue;
      try {
        ch.send(encodeChunk(this.id, index, bytes));
      } catch {
        return; // the channel is closing: 'file-channel' closed follows, and the receiver's accept resumes
      }
      this.#next = index + 1;
    }
  }
}
