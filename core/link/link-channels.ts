/** What a connection's data channels report to their link. */
export interface ChannelEvents {
  /** Something arrived on either channel (for liveness); true when it was a heartbeat, consumed there. */
  heard(data: unknown): boolean;
  /** The `mesh` channel opened. */
  open(channel: RTCDataChannel): void;
  /** The `mesh` channel closed by itself (the remote went away or replaced its connection). */
  closed(): void;
  /** A JSON frame arrived on `mesh`. */
  message(frame: unknown): void;
  /** A frame on `mesh` was not JSON. */
  malformed(): void;
  /** The `files` channel opened or closed. */
  fileChannel(open: boolean): void;
  /** A frame arrived on `files`: JSON text (control) or binary (a chunk). */
  fileFrame(data: string | ArrayBuffer): void;
}

/**
 * The two pre-negotiated data channels of one connection: `mesh` (id 0) for room frames and
 * `files` (id 1) for file transfers, so neither queues behind the other. Both sides create them
 * without extra round trips. Events stop at `close()`.
 */
export class LinkChannels {
  readonly mesh: RTCDataChannel;
  readonly files: RTCDataChannel;

  constructor(pc: RTCPeerConnection, on: ChannelEvents) {
    const mesh = pc.createDataChannel('mesh', { negotiated: true, id: 0, ordered: true });
    mesh.onopen = () => on.open(mesh);
    mesh.onclose = () => on.closed();
    mesh.onmessage = (ev) => {
      if (typeof ev.data !== 'string' || on.heard(ev.data)) return;
      let frame: unknown;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        on.malformed();
        return;
      }
      on.message(frame);
    };
    const files = pc.createDataChannel('files', { negotiated: true, id: 1, ordered: true });
    files.binaryType = 'arraybuffer';
    files.onopen = () => on.fileChannel(true);
    files.onclose = () => on.fileChannel(false);
    files.onmessage = (ev) => {
      on.heard(null);
      on.fileFrame(ev.data as string | ArrayBuffer);
    };
    this.mesh = mesh;
    this.files = files;
    this.#onFilesGone = () => on.fileChannel(false);
  }

  readonly #onFilesGone: () => void;

  get open(): boolean { return this.mesh.readyState === 'open'; }
  /** The `files` channel while it is open. */
  get openFiles(): RTCDataChannel | null { return this.files.readyState === 'open' ? this.files : null; }

  /** Closes both without further events, except that an open `files` channel reports going away. */
  close(): void {
    const filesWereOpen = this.files.readyState === 'open';
    for (const ch of [this.mesh, this.files]) {
      ch.onopen = ch.onclose = ch.onmessage = null;
      ch.close();
    }
    if (filesWereOpen) this.#onFilesGone();
  }
}
