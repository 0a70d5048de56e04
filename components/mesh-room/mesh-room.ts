import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { MeshError, Room, type FileOptions, type FileTransfer, type LocalMediaControls, type PeerInfo, type RecordingOptions, type RoomEventMap, type RoomMessage, type RoomState } from '../../core/index.js';
import { MeshEvent } from '../events.js';
import { loadMediaElements } from './media-elements.js';
import { mediaKinds } from './media-kinds.js';
import { ROOM_CONNECTED, type MeshRoomApi } from '../shared/room-api.js';
import { resolveStrings, STRINGS_CHANGED, type MeshStrings } from '../shared/strings.js';
import type { RecordingView, RecordingViewEvent } from './recording-view.js';
import { roomOptions } from './room-options.js';
import { styles } from './mesh-room.styles.js';

/**
 * A peer-to-peer room for 2–8 people. Joins as soon as it is in the document with `room` and
 * `name` set, leaves when removed, and heals network trouble by itself.
 *
 * @summary A mesh room: signaling, peer connections and exactly-once room messages.
 * @tag mesh-room
 *
 * @attr room - Room id: 1–64 characters of [A-Za-z0-9_.-].
 * @attr name - Display name, unique in the room (case-insensitively).
 * @attr relay - Relay WebSocket URL; defaults to `/ws` on the page's own origin.
 * @attr media - `none` | `audio` | `video` | `audio video`. Default `none`.
 * @attr max-peers - Refuse to join a room that already has this many members. Default 8.
 * @attr mesh-limit - In `auto` mode, move to the SFU past this many members (the lower of it and the relay's `--mesh-limit`). Default: the relay's (6).
 * @attr mode - Where media goes: `mesh` (peer to peer), `sfu` (through the relay's SFU, Janus), or `auto` (a mesh up to the relay's mesh limit, then the SFU). Default `auto`.
 * @attr token - Signed room token, when the relay requires one.
 *
 * @fires mesh-state-change - The room state changed. Detail: `{ from, to, reason }`.
 * @fires mesh-peer-join - A peer joined. Detail: `{ id, name, state, online, quality }`.
 * @fires mesh-peer-leave - A peer left. Detail: `{ peer, reason }`.
 * @fires mesh-peer-update - A peer's link, presence or quality changed. Detail: the peer.
 * @fires mesh-message - A room message, exactly once (own ones too). Detail: `{ id, from, name, data, sentAt, self, ... }`.
 * @fires mesh-acked - One of our messages is stored by the relay. Detail: `{ id }`.
 * @fires mesh-reconnected - The relay connection is back and caught up. Detail: `{ disconnectedFor, missed, lost }`.
 * @fires mesh-messages-lost - Messages could not be recovered. Detail: `{ from, name, count }`.
 * @fires mesh-local-media - Our microphone, camera or screen share changed. Detail: `{ audio, video, screen }`.
 * @fires mesh-relay-status - The relay became unreachable (peers still talk directly) or reachable. Detail: `{ reachable }`.
 * @fires mesh-error - Something the user should know. Detail: `{ code, message }`.
 * @fires mesh-file-offer - Someone offers us a file. Detail: the transfer `{ id, name, size, type, peer, status, ... }`.
 * @fires mesh-file-update - A file transfer changed state or made progress. Detail: the transfer.
 * @fires mesh-file-received - A file arrived with a matching SHA-256 digest. Detail: `{ transfer, blob }`.
 * @fires mesh-recording - We or a peer started or stopped recording the room. Detail: `{ recording, by, blob? }`.
 *
 * @slot - The room's content: `<mesh-chat>`, `<mesh-status-badge>`, anything else.
 * @slot media - Replaces the default video grid (shown when `media` is not `none` or peers send video) and call controls.
 *
 * @csspart base - The wrapper around the content.
 * @csspart error - The message shown when joining failed.
 * @csspart media-error - The message shown when the camera, microphone or recording cannot be used.
 * @csspart join-form - The form asking for a name (no `name` attribute, or the name was refused).
 * @csspart name-label - The label of the name field.
 * @csspart name-input - The name field.
 * @csspart join-button - The button that joins with the name.
 * @csspart leave-button - Leaves (or joins again) in a room without media; with media it is in the call controls.
 * @csspart recording - The indicator shown to everyone while someone records the room.
 * @csspart recording-download - The link to our finished recording.
 *
 * @cssprop --mesh-font - Font of all mesh elements. Default `inherit`.
 * @cssprop --mesh-color-text - Text colour.
 * @cssprop --mesh-color-bg - Background colour.
 * @cssprop --mesh-color-danger - Colour of errors.
 * @cssprop --mesh-radius - Corner radius. Default 8px.
 * @cssprop --mesh-space - Base spacing. Default 8px.
 */
export class MeshRoomElement extends LitElement implements MeshRoomApi {
  static override styles = styles;
  static override properties = {
    room: { type: String },
    name: { type: String },
    relay: { type: String },
    media: { type: String },
    maxPeers: { type: Number, attribute: 'max-peers' },
    mode: { type: String },
    meshLimit: { type: Number, attribute: 'mesh-limit' },
    token: { type: String },
    state: { type: String, reflect: true },
    strings: { attribute: false },
    error: { attribute: false },
    rtcConfig: { attribute: false },
    mediaError: { attribute: false },
    files: { attribute: false },
  };

  /** Room id to join. */
  declare room: string;
  /** Display name in the room. */
  declare name: string;
  /** Relay WebSocket URL (default: `/ws` on this page's origin). */
  declare relay: string;
  /** Media to send: `none` | `audio` | `video` | `audio video`. */
  declare media: string;
  /** Largest room this element joins. */
  declare maxPeers: number;
  /** Where media goes: `auto` | `mesh` | `sfu`. */
  declare mode: 'auto' | 'mesh' | 'sfu';
  /** In `auto` mode, the most members of a mesh (null: the relay's). */
  declare meshLimit: number | null;
  /** Signed room token. */
  declare token: string;
  /** `idle` | `connecting` | `connected` | `reconnecting` | `failed` | `closed` (read-only). */
  declare state: RoomState;
  /** Strings to use instead of the built-in ones of the element's language (any subset). */
  declare strings: Partial<MeshStrings> | null;
  /** Why joining failed, while `state` is `failed`. */
  declare error: { code: string; message: string } | null;
  /** Peer-connection settings (ICE servers, transport policy); set before joining. */
  declare rtcConfig: RTCConfiguration | null;
  /** Why our camera or microphone cannot be used (the room works without them). */
  declare mediaError: { code: string; message: string } | null;
  /** File limits, set before joining: `{ maxFileBytes, autoAcceptBytes, chunkBytes }` (2 GiB, 1 MiB, 128 KiB). */
  declare files: FileOptions | null;

  /** The recording indicator and download link, loaded with the first recording in the room. */
  #recordingView: RecordingView | null = null;
  /** Recording events that came while the view loads, for it to catch up on. */
  #recordingEvents: Array<[Room, () => boolean, RecordingViewEvent]> | null = null;
  #roomCore: Room | null = null;
  /** The latest error of the room; becomes `error` if the room fails. */
  #lastError: { code: string; message: string } | null = null;
  /** The application called leave(): do not join again by ourselves until join() is called. */
  #userLeft = false;

  /** The strings in effect: the element's language, with `strings` on top. */
  protected get s(): MeshStrings { return resolveStrings(this, this.strings); }

  constructor() {
    super();
    this.room = '';
    this.name = '';
    this.relay = '';
    this.media = 'none';
    this.maxPeers = 8;
    this.mode = 'auto';
    this.meshLimit = null;
    this.token = '';
    this.state = 'idle';
    this.strings = null;
    this.error = null;
    this.rtcConfig = null;
    this.mediaError = null;
    this.files = null;
  }

  /** The core `Room` behind this element (null before joining). */
  get core(): Room | null { return this.#roomCore; }
  /** The other members: `{ id, name, state, online, quality }`. */
  get peers(): PeerInfo[] { return this.#roomCore?.peers ?? []; }
  /** This peer's id (null before joining). */
  get selfId(): string | null { return this.#roomCore?.selfId ?? null; }
  /** Recently delivered messages, oldest first. */
  get history(): readonly RoomMessage[] { return this.#roomCore?.history ?? []; }
  /** True while our message `id` waits for the relay to store it. */
  isPending(id: string): boolean { return this.#roomCore?.isPending(id) ?? false; }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back into a page after being removed: join again (unless the page chose to leave).
    if (this.state === 'closed' && !this.#userLeft) this.state = 'idle';
    document.dispatchEvent(new Event(ROOM_CONNECTED));
    document.addEventListener(STRINGS_CHANGED, this.#onStrings);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener(STRINGS_CHANGED, this.#onStrings);
    this.#closeCore();
  }

  readonly #onStrings = () => this.requestUpdate();

  /**
   * Joins the room (again). Resolves when admitted; rejects with a `MeshError` whose `code` says
   * why not (`name-taken`, `room-full`, `token-invalid`, …), which is also shown in the element.
   */
  async join(): Promise<void> {
    this.#userLeft = false;
    this.#closeCore();
    this.error = null;
    this.#lastError = null;
    this.mediaError = null;
    let core: Room;
    try {
      core = new Room(roomOptions(this));
    } catch (err) {
      this.#showError(err);
      this.state = 'failed';
      throw err;
    }
    this.#roomCore = core;
    this.#wire(core);
    await core.join();
  }

  /** Leaves the room; the element stays and can join() again. */
  leave(): void {
    this.#userLeft = true;
    this.#closeCore();
  }

  /** Mutes (false) or unmutes (true) the microphone. */
  setMicrophone(on: boolean): void {
    this.#roomCore?.localMedia?.setAudioEnabled(on);
  }

  /** Turns the camera on or off; a failure is shown like any media error and rejects. */
  setCamera(on: boolean): Promise<void> {
    return this.#mediaChange((m) => m.setVideoEnabled(on));
  }

  /** Starts (true) or stops (false) sharing the screen in place of the camera. */
  shareScreen(on: boolean): Promise<void> {
    return this.#mediaChange((m) => (on ? m.startScreenShare() : m.stopScreenShare()));
  }

  /**
   * Offers a file to everyone (or the member ids in `to`); returns its id. Progress arrives as
   * `mesh-file-update`. Throws `file-too-large` (a `MeshError`) above the room's limit.
   */
  sendFile(file: Blob, options: { to?: string | string[]; name?: string } = {}): string {
    if (!this.#roomCore) throw new MeshError('not-connected', 'the room has not joined yet');
    return this.#roomCore.sendFile(file, options);
  }

  /** Accepts an offered file. */
  acceptFile(id: string): void { this.#roomCore?.acceptFile(id); }
  /** Declines an offered file. */
  rejectFile(id: string): void { this.#roomCore?.rejectFile(id); }
  /** Stops a file transfer (either direction). */
  cancelFile(id: string): void { this.#roomCore?.cancelFile(id); }
  /** Every file transfer of the room, both directions. */
  get transfers(): FileTransfer[] { return this.#roomCore?.transfers ?? []; }

  /** True while we record the room. */
  get recording(): boolean { return this.#roomCore?.recording ?? false; }

  /**
   * Records the room (video grid and mixed audio) to WebM, or MP4 where the browser writes only
   * that (Safari); everyone in the room sees an indicator. Call from a click so the browser lets the page mix audio.
   */
  async startRecording(options?: RecordingOptions): Promise<void> {
    if (!this.#roomCore) throw new MeshError('not-connected', 'the room has not joined yet');
    try {
      await this.#roomCore.startRecording(options);
    } catch (err) {
      this.#showError(err);
      throw err;
    }
  }

  /** Stops recording; resolves with the file (WebM, or MP4 in Safari), also offered as a download link. */
  async stopRecording(): Promise<Blob | null> {
    return (await this.#roomCore?.stopRecording()) ?? null;
  }

  /** Sends `data` (any JSON value) to everyone; returns the message as delivered locally. */
  send(data: unknown): RoomMessage {
    if (!this.#roomCore) throw new MeshError('not-connected', 'the room has not joined yet');
    return this.#roomCore.send(data);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A call fetches its grid and controls while it joins, not after.
    if (changed.has('media') && mediaKinds(this.media) !== null) void loadMediaElements().catch(() => { /* the room reports feature-unavailable */ });
    const identityChanged = (['room', 'name', 'relay', 'maxPeers', 'media', 'mode', 'meshLimit'] as const).some((k) => changed.has(k) && changed.get(k) !== undefined);
    if (identityChanged && this.state === 'failed') {
      // A new name or room after a refusal: try again.
      this.state = 'idle';
      this.error = null;
    }
    if (this.#roomCore && identityChanged) {
      this.#closeCore();
      this.state = 'idle';
    }
    // A new token (the old one expires) is used from the next resume on, without leaving.
    else if (this.#roomCore && changed.has('token')) this.#roomCore.setToken(this.token || undefined);
  }

  protected override updated(): void {
    // Joins by itself only from idle: a refused join stays failed (and says why) until the
    // room, name or relay changes or join() is called.
    const ready = () => this.state === 'idle' && !this.#roomCore && !this.#userLeft && this.isConnected && !!this.room && !!this.name;
    if (!ready()) return;
    // After this update, not inside it: joining changes state, which schedules the next update.
    queueMicrotask(() => {
      if (!ready()) return;
      this.join().catch(() => {
        // Shown in the element and fired as mesh-error.
      });
    });
  }

  protected override render() {
    const failed = this.state === 'failed' && this.error;
    const s = this.s;
    const showMedia = mediaKinds(this.media) !== null || this.peers.some((p) => p.stream?.getVideoTracks().length);
    if (showMedia) void loadMediaElements().catch(() => { /* the room reports feature-unavailable */ });
    const inRoom = this.state === 'connected' || this.state === 'reconnecting' || this.state === 'connecting';
    // No name yet (an embed that cannot know the visitor), or the name was refused: ask for one.
    const askName = !!this.room && (!this.name || (this.state === 'failed' && (this.error?.code === 'name-taken' || this.error?.code === 'invalid-name')));
    return html`<div part="base">
      ${failed ? html`<p part="error" role="alert">${s.errors[this.error!.code] ?? this.error!.message}</p>` : nothing}
      ${this.mediaError ? html`<p part="media-error" role="alert">${s.errors[this.mediaError.code] ?? this.mediaError.message}</p>` : nothing}
      ${askName ? html`<form part="join-form" @submit=${this.#onNameSubmit}>
        <label part="name-label">${s.yourName} <input part="name-input" name="name" required maxlength="64" autocomplete="nickname" .value=${this.name}></label>
        <button part="join-button" type="submit">${s.joinRoom}</button>
      </form>` : nothing}
      ${this.#recordingView?.render(s, this.room, this.recording, this.peers) ?? nothing}
      <slot name="media">
        ${showMedia && this.name ? html`<mesh-video-grid exportparts="grid, tile, video, caption, placeholder, indicator, sound-prompt"></mesh-video-grid>
          <mesh-media-controls exportparts="controls, control, record-button, leave-button"></mesh-media-controls>` : nothing}
        ${!showMedia && this.name ? html`<button part="leave-button" type="button" @click=${() => (inRoom ? this.leave() : void this.join().catch(() => {}))}>${inRoom ? s.leave : s.join}</button>` : nothing}
      </slot>
      <slot></slot>
    </div>`;
  }

  #onNameSubmit(ev: SubmitEvent): void {
    ev.preventDefault();
    const input = (ev.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    const name = input.value.trim();
    if (!name) return;
    if (name === this.name) void this.join().catch(() => {});
    else this.name = name; // a new name joins by itself
  }

  #wire(core: Room): void {
    const mine = () => this.#roomCore === core;
    core.addEventListener('state-change', (e) => {
      if (!mine() && e.detail.to !== 'closed') return;
      if (e.detail.to === 'failed') this.error = this.#lastError;
      this.state = e.detail.to;
      this.dispatchEvent(new MeshEvent('mesh-state-change', e.detail));
    });
    for (const type of FORWARDED) core.addEventListener(type, (e) => mine() && this.dispatchEvent(new MeshEvent(`mesh-${type}`, e.detail)));
    for (const type of ['recording', 'peer-update', 'peer-leave'] as const) core.addEventListener(type, (e) => this.#toRecordingView(core, mine, e));
    core.addEventListener('peer-update', (e) => {
      // A peer's video in a room that sends none shows the grid.
      if (mine() && e.detail.stream && mediaKinds(this.media) === null) this.requestUpdate();
    });
    core.addEventListener('error', (e) => mine() && this.#showError(e.detail));
  }

  /** Passes a recording event on to the view; the first that tells of a recording loads it. */
  #toRecordingView(core: Room, mine: () => boolean, e: RecordingViewEvent): void {
    if (this.#recordingView) return this.#recordingView.handle(core, mine, e);
    if (this.#recordingEvents) return void this.#recordingEvents.push([core, mine, e]);
    // Until someone records there is nothing to show: a room without recordings never loads the view.
    if (e.type !== 'recording' && !(e.type === 'peer-update' && (e as RoomEventMap['peer-update']).detail.recording)) return;
    this.#recordingEvents = [[core, mine, e]];
    import('./recording-view.js').then(({ RecordingView }) => {
      const view = (this.#recordingView = new RecordingView(this, (d) => this.dispatchEvent(new MeshEvent('mesh-recording', d))));
      for (const [c, m, queued] of this.#recordingEvents ?? []) view.handle(c, m, queued);
      this.#recordingEvents = null;
    }, (err: unknown) => {
      this.#recordingEvents = null;
      this.#showError(new MeshError('feature-unavailable', `the recording indicator could not be loaded (${(err as Error)?.message ?? err})`, { cause: err }));
    });
  }

  async #mediaChange(change: (m: LocalMediaControls) => Promise<void>): Promise<void> {
    const media = this.#roomCore?.localMedia;
    if (!media) throw new MeshError('media-unavailable', 'this room sends no media (set the media attribute)');
    this.mediaError = null;
    try {
      await change(media);
    } catch (err) {
      this.#showError(err);
      throw err;
    }
  }

  #showError(err: unknown): void {
    const e = err instanceof MeshError ? err : new MeshError('invalid-option', String((err as Error)?.message ?? err));
    const detail = { code: e.code, message: e.message };
    // Camera, microphone, SFU and recording trouble is shown at once; the room goes on without them.
    if (/^(media|recording|sfu)-/.test(e.code)) this.mediaError = detail;
    else if (this.#roomCore) this.#lastError = detail; // shown only if the room fails because of it
    else this.error = detail; // the room could not even be created
    this.dispatchEvent(new MeshEvent('mesh-error', detail));
  }

  #closeCore(): void {
    const core = this.#roomCore;
    if (!core) return;
    this.#roomCore = null;
    this.#recordingView?.reset();
    core.close();
  }
}

/** Core events `<mesh-room>` passes on as `mesh-<name>` (detail unchanged). */
const FORWARDED = ['peer-join', 'peer-leave', 'peer-update', 'local-media', 'relay-status', 'message', 'acked', 'reconnected', 'messages-lost', 'file-offer', 'file-update', 'file-received'] as const satisfies ReadonlyArray<keyof RoomEventMap>;


declare global {
  interface HTMLElementTagNameMap {
    'mesh-room': MeshRoomElement;
  }
}
