import { html, nothing } from 'lit';
import { RoomBoundElement } from '../shared/room-bound-element.js';
import { styles } from './mesh-media-controls.styles.js';

/**
 * Call controls for a `<mesh-room>`: microphone, camera, screen share, recording and leave
 * (or join again). Toggles are real buttons with `aria-pressed`; changing a track never renegotiates.
 *
 * @summary Microphone, camera, screen-share and leave buttons.
 * @tag mesh-media-controls
 *
 * @attr for - Id of the `<mesh-room>` to control (default: the nearest ancestor).
 *
 * @csspart controls - The toolbar.
 * @csspart control - Each toggle button (`aria-pressed` tells its state).
 * @csspart record-button - The record / stop-recording toggle (also a `control`), shown when the call has video or audio.
 * @csspart leave-button - The leave / join-again button.
 *
 * @cssprop --mesh-color-danger - Colour of the leave button.
 */
export class MeshMediaControlsElement extends RoomBoundElement {
  static override styles = styles;
  constructor() {
    super();
    const update = () => this.requestUpdate();
    this.roomEvents = { 'mesh-local-media': update, 'mesh-state-change': update, 'mesh-recording': update, 'mesh-peer-update': update };
  }

  protected override render() {
    const room = this.room;
    if (!room) return nothing;
    const s = this.s;
    const local = room.core?.localMedia ?? null;
    const state = local?.state;
    const inRoom = room.state === 'connected' || room.state === 'reconnecting' || room.state === 'connecting';
    return html`<div part="controls" role="toolbar" aria-label=${s.mediaControls}>
      ${local?.kinds.audio ? html`<button part="control" type="button" aria-pressed=${String(!state!.audio)} @click=${() => room.setMicrophone(!state!.audio)}>
        ${state!.audio ? s.micOn : s.micOff}</button>` : nothing}
      ${local?.kinds.video ? html`<button part="control" type="button" aria-pressed=${String(!state!.video)} ?disabled=${state!.screen}
        @click=${() => room.setCamera(!state!.video).catch(() => {})}>${state!.video ? s.cameraOn : s.cameraOff}</button>` : nothing}
      ${local && 'getDisplayMedia' in (navigator.mediaDevices ?? {}) ? html`<button part="control" type="button" aria-pressed=${String(state!.screen)}
        @click=${() => room.shareScreen(!state!.screen).catch(() => {})}>${state!.screen ? s.stopSharing : s.shareScreen}</button>` : nothing}
      ${inRoom && (local || room.peers.some((p) => p.stream)) && typeof MediaRecorder === 'function' ? html`<button part="control record-button" type="button" aria-pressed=${String(room.recording)}
        @click=${() => (room.recording ? void room.stopRecording() : void room.startRecording().catch(() => {}))}>${room.recording ? s.stopRecording : s.record}</button>` : nothing}
      <button part="leave-button" type="button" @click=${() => (inRoom ? room.leave() : void room.join().catch(() => {}))}>${inRoom ? s.leave : s.join}</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mesh-media-controls': MeshMediaControlsElement;
  }
}
