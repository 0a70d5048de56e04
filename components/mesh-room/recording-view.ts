import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { PeerInfo, Room, RoomEventMap } from '../../core/index.js';
import type { RecordingDetail } from '../events.js';
import { addEnglish, type MeshStrings } from '../shared/strings.js';
import { EN_RECORDING } from '../i18n/en-recording.js';

addEnglish(EN_RECORDING);

/**
 * The recording part of `<mesh-room>`: who records (us, peers) as `mesh-recording` events and
 * an indicator everyone sees, and a download link for our finished recording (its object URL
 * revoked when replaced or when the element leaves the page). A chunk of its own, which
 * `<mesh-room>` loads with the first recording in its room, ours or a peer's.
 */
/** The room events the view follows. */
export type RecordingViewEvent = RoomEventMap['recording'] | RoomEventMap['peer-update'] | RoomEventMap['peer-leave'];

export class RecordingView implements ReactiveController {
  #file: { url: string; size: number; mp4: boolean } | null = null;
  readonly #peersRecording = new Set<string>();

  readonly #host: ReactiveControllerHost;
  /** Fires `mesh-recording` on the element (its event class stays with the element's chunk). */
  readonly #fire: (detail: RecordingDetail) => void;
  constructor(host: ReactiveControllerHost, fire: (detail: RecordingDetail) => void) {
    this.#host = host;
    this.#fire = fire;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#setFile(null);
  }

  /**
   * Takes one of the room's `recording`, `peer-update` and `peer-leave` events (`<mesh-room>`
   * passes them on, and those that came while this view loaded); `mine()` is false once the
   * element moved on to another room object.
   */
  handle(core: Room, mine: () => boolean, e: RecordingViewEvent): void {
    if (e.type === 'recording') {
      const { detail } = e as RoomEventMap['recording'];
      // A recording also ends when its room closes: keep offering the file even then.
      if (!detail.recording) this.#setFile(detail.blob ?? null);
      this.#host.requestUpdate();
      if (mine()) this.#fire({ recording: detail.recording, by: core.selfId, ...(detail.blob ? { blob: detail.blob } : {}) });
    } else if (e.type === 'peer-update') {
      const p = (e as RoomEventMap['peer-update']).detail;
      if (!mine() || p.recording === this.#peersRecording.has(p.id)) return;
      if (p.recording) this.#peersRecording.add(p.id);
      else this.#peersRecording.delete(p.id);
      this.#host.requestUpdate();
      this.#fire({ recording: p.recording, by: p.id });
    } else if (mine() && this.#peersRecording.delete((e as RoomEventMap['peer-leave']).detail.peer.id)) {
      this.#host.requestUpdate();
    }
  }

  /** The room was left: nobody there records any more. */
  reset(): void {
    this.#peersRecording.clear();
  }

  render(s: MeshStrings, room: string, self: boolean, peers: PeerInfo[]) {
    const names = peers.filter((p) => p.recording).map((p) => p.name);
    const file = this.#file;
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
    return html`${self || names.length ? html`<p part="recording" role="status"><span aria-hidden="true">●</span> ${s.recordingBy(self, names)}</p>` : nothing}
      ${file && !self ? html`<a part="recording-download" href=${file.url} download=${`mesh-room-${room}-${stamp}.${file.mp4 ? 'mp4' : 'webm'}`}>${s.downloadRecording(file.size)}</a>` : nothing}`;
  }

  #setFile(blob: Blob | null): void {
    if (this.#file) URL.revokeObjectURL(this.#file.url);
    this.#file = blob && blob.size > 0 ? { url: URL.createObjectURL(blob), size: blob.size, mp4: blob.type === 'video/mp4' } : null;
    this.#host.requestUpdate();
  }
}
