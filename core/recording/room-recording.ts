import type { MeshError } from '../base/errors.js';
import { RoomRecorder, type RecorderSource, type RecordingOptions } from './room-recorder.js';

/** What a room's recording needs from the room. */
export interface RecordingHost {
  /** Our own tile (first in the grid). */
  self(): RecorderSource;
  /** Each peer's tile, in join order. */
  peers(): readonly RecorderSource[];
  /** True while the room is in (joined, possibly healing). */
  inRoom(): boolean;
  /** Tell the peers we record, or stopped. */
  announce(on: boolean): void;
  /** Our own `recording` event. */
  changed(detail: { recording: boolean; audio?: boolean; blob?: Blob }): void;
  error(e: MeshError): void;
}

/** The room's one recording: started, announced to everyone, stopped (on leave too). */
export class RoomRecording {
  #recorder: RoomRecorder | null = null;
  #starting = false;

  readonly #host: RecordingHost;
  constructor(host: RecordingHost) {
    this.#host = host;
  }

  get active(): boolean { return this.#recorder !== null; }

  async start(options?: RecordingOptions): Promise<void> {
    if (this.#recorder || this.#starting) return;
    this.#starting = true;
    try {
      this.#recorder = await RoomRecorder.start(() => [this.#host.self(), ...this.#host.peers()], options);
    } finally {
      this.#starting = false;
    }
    if (!this.#host.inRoom()) {
      void this.stop().catch(() => { /* reported through error */ }); // left while the recorder was starting
      return;
    }
    this.#host.announce(true);
    this.#host.changed({ recording: true, audio: this.#recorder.withAudio });
  }

  /** Stops; resolves with the WebM file (null when not recording). */
  async stop(): Promise<Blob | null> {
    const recorder = this.#recorder;
    if (!recorder) return null;
    this.#recorder = null;
    this.#host.announce(false);
    try {
      const blob = await recorder.stop();
      this.#host.changed({ recording: false, blob });
      return blob;
    } catch (err) {
      this.#host.changed({ recording: false });
      this.#host.error(err as MeshError);
      throw err;
    }
  }
}
