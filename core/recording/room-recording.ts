import type { MeshError } from '../base/errors.js';
import type { FeatureHost, RecordingFeature } from '../room/feature.js';
import type { RecordingOptions } from '../room/feature-types.js';
import { RoomRecorder } from './room-recorder.js';

/**
 * The recording feature: the room's one local recording, announced to everyone while it runs,
 * stopped on leave (the file is still delivered in the `recording` event).
 */
export class RoomRecording implements RecordingFeature {
  readonly #host: FeatureHost;
  #recorder: RoomRecorder | null = null;
  #starting = false;

  constructor(host: FeatureHost) {
    this.#host = host;
  }

  get active(): boolean { return this.#recorder !== null; }

  async start(options?: RecordingOptions): Promise<void> {
    if (this.#recorder || this.#starting) return;
    const host = this.#host;
    this.#starting = true;
    try {
      // Our tile first, then each peer's in join order.
      this.#recorder = await RoomRecorder.start(() => [{ id: host.selfId, name: host.selfName, stream: host.localMedia()?.stream ?? null }, ...host.peers()], options);
    } finally {
      this.#starting = false;
    }
    if (!host.inRoom()) {
      void this.stop().catch(() => { /* reported through error */ }); // left while the recorder was starting
      return;
    }
    host.announce({ recording: true });
    host.emit('recording', { recording: true, audio: this.#recorder.withAudio });
  }

  /** Stops; resolves with the file, WebM or (Safari) MP4; null when not recording. */
  async stop(): Promise<Blob | null> {
    const recorder = this.#recorder;
    if (!recorder) return null;
    this.#recorder = null;
    this.#host.announce({ recording: false });
    try {
      const blob = await recorder.stop();
      this.#host.emit('recording', { recording: false, blob });
      return blob;
    } catch (err) {
      this.#host.emit('recording', { recording: false });
      this.#host.emit('error', err as MeshError);
      throw err;
    }
  }

  leave(): void {
    void this.stop().catch(() => { /* reported through error */ });
  }

  close(): void { this.leave(); }
}
