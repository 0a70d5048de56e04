import type { FeatureHost, FilesFeature } from '../room/feature.js';
import { decodeChunk, parseFileFrame } from './file-frames.js';
import { IncomingTransfer } from './file-receiver.js';
import { OutgoingTransfer, SourceFile } from './file-sender.js';
import type { TransferHost } from './file-transfer-base.js';
import { DEFAULT_FILE_OPTIONS, FILE_FLOW, type FileOptions, type FileTransfer } from './file-types.js';
import type { PeerLink } from '../link/peer-link.js';

/**
 * Every file transfer of a room, over each link's `files` data channel. Transfers belong to
 * the room, not to a connection: when a link heals or is replaced, its transfers pause and
 * continue from the last chunk the receiver holds; when a peer leaves, they are `interrupted`.
 */
export class FileTransfers implements FilesFeature {
  readonly #options: Required<FileOptions>;
  readonly #outgoing = new Map<string, OutgoingTransfer[]>();
  readonly #incoming = new Map<string, IncomingTransfer>();
  readonly #links = new Map<string, PeerLink>();
  readonly #host: TransferHost;

  readonly #emit: FeatureHost['emit'];

  constructor(room: Pick<FeatureHost, 'clock' | 'emit'>, options: FileOptions = {}) {
    this.#options = { ...DEFAULT_FILE_OPTIONS, ...options };
    this.#emit = room.emit;
    this.#host = {
      clock: room.clock,
      channel: (peer) => this.#links.get(peer)?.fileChannel ?? null,
      changed: (t) => this.#emit('file-update', t),
    };
  }

  /** Every transfer, both directions. */
  get all(): FileTransfer[] {
    return [...[...this.#outgoing.values()].flat(), ...this.#incoming.values()].map((t) => t.snapshot());
  }

  /** Offers `file` to `peers` under the id `id` (the room checked its size and the receivers). */
  send(id: string, file: Blob, name: string, peers: string[]): void {
    // Chunks fit every receiver's SCTP message limit (a header of up to 69 bytes rides along).
    const limits = peers.map((p) => this.#links.get(p)?.connection?.sctp?.maxMessageSize ?? Infinity);
    const fit = Math.floor((Math.min(...limits) - 128) / 1024) * 1024;
    const source = new SourceFile(file, Math.max(1024, Math.min(this.#options.chunkBytes, fit)));
    const meta = { name: name.slice(0, 255) || 'file', type: file.type.slice(0, 255) };
    const list = peers.map((peer) => new OutgoingTransfer(source, id, peer, meta, this.#host));
    this.#outgoing.set(id, list);
    for (const t of list) {
      this.#emit('file-update', t.snapshot());
      t.channelOpen();
    }
  }

  accept(id: string): void { this.#incoming.get(id)?.accept(); }
  reject(id: string): void { this.#incoming.get(id)?.reject(); }
  /** Cancels an incoming file, or an outgoing one for every receiver (or just `peer`). */
  cancel(id: string, peer?: string): void {
    this.#incoming.get(id)?.cancel();
    for (const t of this.#outgoing.get(id) ?? []) if (!peer || t.peer === peer) t.cancel();
  }

  /** The verified file of a completed incoming transfer. */
  blob(id: string): Blob | null { return this.#incoming.get(id)?.blob ?? null; }

  /** Wires a new link to `peer` (a replaced link takes over its transfers). */
  link(peer: string, link: PeerLink): void {
    this.#links.set(peer, link);
    const current = () => this.#links.get(peer) === link;
    const opened = (ch: RTCDataChannel) => {
      ch.bufferedAmountLowThreshold = FILE_FLOW.lowWaterBytes;
      ch.addEventListener('bufferedamountlow', () => this.#each(peer, (t) => t instanceof OutgoingTransfer && t.poke()));
    };
    // Installed into a room whose link is already up: its channel is open now.
    if (link.fileChannel) opened(link.fileChannel);
    link.addEventListener('file-channel', (e) => {
      if (!current()) return;
      const ch = link.fileChannel;
      if (e.detail.open && ch) opened(ch);
      this.#each(peer, (t) => (e.detail.open ? t.channelOpen() : t.channelClosed()));
    });
    link.addEventListener('file-frame', (e) => {
      if (current()) this.frame(peer, e.detail);
    });
  }

  /** The peer left the room: its transfers are interrupted. */
  unlink(peer: string): void {
    this.#links.delete(peer);
    this.#each(peer, (t) => t.interrupt());
  }

  /**
   * We leave the room: what is under way ends as `interrupted` here, and the other sides see
   * the same when the relay tells them we left. Then everything is forgotten. Idempotent.
   */
  leave(): void {
    for (const list of this.#outgoing.values()) for (const t of list) t.interrupt(`you left the room before "${t.meta.name}" was sent`);
    for (const t of this.#incoming.values()) t.interrupt(`you left the room before "${t.meta.name}" arrived`);
    this.#outgoing.clear();
    this.#incoming.clear();
    this.#links.clear();
  }

  #each(peer: string, fn: (t: OutgoingTransfer | IncomingTransfer) => void): void {
    for (const list of this.#outgoing.values()) for (const t of list) if (t.peer === peer) fn(t);
    for (const t of this.#incoming.values()) if (t.peer === peer) fn(t);
  }

  /** A frame from `peer`'s files channel. */
  frame(peer: string, data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      const chunk = decodeChunk(data);
      const t = chunk && this.#incoming.get(chunk.id);
      if (t && t.peer === peer) t.chunk(chunk.index, chunk.bytes);
      return;
    }
    const frame = parseFileFrame(data);
    if (!frame) return;
    if (frame.t === 'offer') {
      const known = this.#incoming.get(frame.id);
      if (known) {
        if (known.peer === peer) known.reoffered();
        return;
      }
      const t = new IncomingTransfer(frame, peer, this.#host, (done) => {
        this.#emit('file-received', { transfer: done.snapshot(), blob: done.blob! });
      });
      this.#incoming.set(frame.id, t);
      this.#emit('file-offer', t.snapshot());
      if (frame.size > this.#options.maxFileBytes) t.reject('too-large');
      else if (frame.size <= this.#options.autoAcceptBytes) t.accept();
      return;
    }
    const out = this.#outgoing.get(frame.id)?.find((t) => t.peer === peer);
    if (out) out.handle(frame);
    else {
      const inc = this.#incoming.get(frame.id);
      if (inc?.peer === peer) inc.handle(frame);
    }
  }
}
