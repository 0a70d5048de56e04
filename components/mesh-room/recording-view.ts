import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { PeerInfo, Room } from '../../core/index.js';
import { MeshEvent, type RecordingDetail } from '../events.js';
import type { MeshStrings } from '../shared/strings.js';

/**
 * The recording part of `<mesh-room>`: who records (us, peers) as `mesh-recording` events and
 * an indicator everyone sees, and a download link for our finished recording (its object URL
 * revoked when replaced or when the element leaves the page).
 */
export class RecordingView implements ReactiveController {
  #file: { url: string; size: number; mp4: boolean } | null = null;
  readonly #peersRecording = new Set<string>();

  readonly #host: ReactiveControllerHost & HTMLElement;
  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#setFile(null);
  }

  /** Follows a room; `mine()` is false once the element moved on to another room object. */
  wire(core: Room, mine: () => boolean): void {
    core.addEventListener('recording', (e) => {
      // A recording also ends when its room closes: keep offering the file even then.
      if (!e.detail.recording) this.#setFile(e.detail.blob ?? null);
      this.#host.requestUpdate();
      if (!mine()) return;
      this.#host.dispatchEvent(new MeshEvent<RecordingDetail>('mesh-recording', { recording: e.detail.recording, by: core.selfId, ...(e.detail.blob ? { blob: e.detail.blob } : {}) }));
    });
    core.addEventListener('peer-update', ({ detail: p }) => {
      if (!mine() || p.recording === this.#peersRecording.has(p.id)) return;
      if (p.recording) this.#peersRecording.add(p.id);
      else this.#peersRecording.delete(p.id);
      this.#host.requestUpdate();
      this.#host.dispatchEvent(new MeshEvent<RecordingDetail>('mesh-recording', { recording: p.recording, by: p.id }));
    });
    core.addEventListener('peer-leave', (e) => {
      if (mine() && this.#peersRecording.delete(e.detail.peer.id)) this.#host.requestUpdate();
    });
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
