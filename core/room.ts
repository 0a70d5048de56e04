import { MeshError } from './base/errors.js';
import { randomId } from './base/ids.js';
import type { FeatureLoaders } from './room/feature.js';
import { DEFAULT_FILE_OPTIONS, type FileTransfer, type LocalMediaControls, type RecordingOptions } from './room/feature-types.js';
import { RoomKernel } from './room/room.js';
import type { RoomOptions } from './room/room-types.js';

/**
 * Where each feature comes from: separate modules (chunks, in the built package) that a page
 * downloads the first time a room uses them. `import()` resolves them next to this module, so
 * a page loading mesh-room from a CDN gets them from the same place.
 */
export const FEATURES: FeatureLoaders = {
  media: () => import('./media/index.js').then((m) => m.installMedia),
  files: () => import('./files/index.js').then((m) => m.installFiles),
  recording: () => import('./recording/index.js').then((m) => m.installRecording),
  sfu: () => import('./sfu/index.js').then((m) => m.installSfu),
};

/**
 * A mesh room: the relay connection, one {@link PeerLink} per other member, exactly-once room
 * messages, and audio and video, files and recording, each loaded when first used. Survives
 * relay restarts, signaling drops and peer-to-peer failures by itself.
 *
 * @example
 * const room = new Room({ relay: 'wss://example.org/ws', room: 'standup', name: 'Ada' });
 * room.addEventListener('message', (e) => console.log(e.detail.name, e.detail.data));
 * await room.join();
 * room.send({ text: 'hello' });
 * room.close();
 */
export class Room extends RoomKernel {
  constructor(options: RoomOptions, features: FeatureLoaders = FEATURES) {
    super(options, features);
  }

  /** Our microphone/camera/screen (null without media, or when the devices could not be used). */
  get localMedia(): LocalMediaControls | null { return this.feature('media')?.local ?? null; }

  /**
   * Offers a file to everyone in the room, or to the members in `to`; returns the file's id.
   * The file is read a chunk at a time and streamed peer to peer (never through the relay);
   * follow it with `file-update` events. Throws `file-too-large` above `files.maxFileBytes`.
   */
  sendFile(file: Blob, options: { to?: string | string[]; name?: string } = {}): string {
    if (!this.inRoom) throw new MeshError('not-connected', `cannot send a file while the room is ${this.state}; call join() first`);
    const here = this.peers.map((p) => p.id);
    const to = options.to === undefined ? here : ([] as string[]).concat(options.to).filter((id) => here.includes(id));
    const name = options.name ?? (file as Partial<File>).name ?? 'file';
    const max = this.options.files?.maxFileBytes ?? DEFAULT_FILE_OPTIONS.maxFileBytes;
    if (file.size > max) throw new MeshError('file-too-large', `"${name}" has ${file.size} bytes; this room sends at most ${max}`);
    if (to.length === 0) throw new MeshError('invalid-option', 'there is nobody in the room to send the file to');
    const id = randomId();
    this.useFeature('files').then((files) => files.send(id, file, name, to), (e: MeshError) => this.emit('error', e));
    return id;
  }

  /** Accepts an offered file. */
  acceptFile(id: string): void { this.feature('files')?.accept(id); }
  /** Declines an offered file; the sender sees `file-rejected`. */
  rejectFile(id: string): void { this.feature('files')?.reject(id); }
  /** Stops a transfer from either side (the other side sees `file-cancelled`). */
  cancelFile(id: string): void { this.feature('files')?.cancel(id); }
  /** Every file transfer of this room, both directions. */
  get transfers(): FileTransfer[] { return this.feature('files')?.all ?? []; }
  /** A received, verified file (null until then). */
  fileBlob(id: string): Blob | null { return this.feature('files')?.blob(id) ?? null; }

  /** The peer connections to the relay's SFU, in SFU mode (diagnostics and tests; empty otherwise). */
  get sfuConnections(): RTCPeerConnection[] { return this.feature('sfu')?.connections ?? []; }

  /**
   * How loud member `id` is right now, 0–1 (the audio level of what we receive from it, over its
   * link or from the SFU); 0 without sound. Cheap: read it a few times a second to find who speaks.
   */
  audioLevel(id: string): number {
    const pc = this.feature('sfu')?.connectionOf(id) ?? this.linkTo(id)?.connection;
    const audio = pc?.getReceivers().find((r) => r.track.kind === 'audio');
    return audio?.getSynchronizationSources?.()[0]?.audioLevel ?? 0;
  }

  /**
   * Tells the room which members the page shows and how wide their tiles are, in device pixels
   * (null: everyone, size unknown). In SFU mode the others get the SFU's lowest layer and each
   * shown member the smallest layer that fills its tile, so a page pays only for what it shows.
   */
  showPeers(tiles: Record<string, number> | null): void {
    this.feature('sfu')?.visible(tiles && new Map(Object.entries(tiles)));
  }

  /** True while this member records the room. */
  get recording(): boolean { return this.feature('recording')?.active ?? false; }

  /**
   * Records the room locally: every member's video composed into a grid, all audio mixed, as
   * WebM (MP4 where the browser writes only that). Everyone in the room is told (`peer-update` with `recording: true`). Rejects with
   * `recording-unsupported` where the browser cannot record. Stops by itself on leave. Call it
   * from a click, so the browser lets the page mix audio (the `recording` event says whether).
   */
  async startRecording(options?: RecordingOptions): Promise<void> {
    if (!this.inRoom) throw new MeshError('not-connected', `cannot record while the room is ${this.state}`);
    await (await this.useFeature('recording')).start(options);
  }

  /** Stops recording; resolves with the file, WebM or (Safari) MP4; null when not recording. */
  stopRecording(): Promise<Blob | null> { return this.feature('recording')?.stop() ?? Promise.resolve(null); }
}
