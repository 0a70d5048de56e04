import { MeshError } from '../base/errors.js';
import { TypedEventTarget } from '../base/typed-event-target.js';
import type { LocalMediaControls, MediaDevicesLike, MediaKinds, MediaState } from '../room/feature-types.js';

export type { MediaDevicesLike, MediaKinds, MediaState } from '../room/feature-types.js';

export interface LocalMediaEventMap {
  /** The tracks or their mute state changed. */
  'change': CustomEvent<MediaState>;
}

/** Camera constraints: 720p when the camera can, as the adaptive bitrate's top step. */
export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

/** Turns a getUserMedia/getDisplayMedia failure into a MeshError with a code a page can act on. */
export function mediaError(err: unknown): MeshError {
  const name = (err as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return new MeshError('media-denied', undefined, { cause: err });
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
    return new MeshError(name === 'NotReadableError' ? 'media-failed' : 'media-unavailable', undefined, { cause: err });
  }
  return new MeshError('media-failed', `the camera or microphone could not be started: ${(err as Error)?.message ?? err}`, { cause: err });
}

/**
 * This peer's microphone, camera and screen share: one `MediaStream` whose tracks change in
 * place. Muting the microphone disables its track (instant, no renegotiation); turning the camera
 * off stops it (the light goes off) and leaves an empty slot the links keep; screen sharing puts
 * a screen track in the video slot and the camera back when it ends.
 */
export class LocalMedia extends TypedEventTarget<LocalMediaEventMap> implements LocalMediaControls {
  /** The stream peers receive (its tracks change; the object stays). */
  readonly stream = new MediaStream();
  audio: MediaStreamTrack | null = null;
  video: MediaStreamTrack | null = null;
  #screen: MediaStreamTrack | null = null;
  #cameraWanted = false;
  #closed = false;

  readonly #devices: MediaDevicesLike;
  constructor(readonly kinds: MediaKinds, devices: MediaDevicesLike = navigator.mediaDevices) {
    super();
    this.#devices = devices;
  }

  get state(): MediaState {
    return { audio: !!this.audio && this.audio.enabled, video: !!this.video, screen: !!this.#screen };
  }

  /** Asks for the wanted devices. Throws a MeshError (`media-denied`, `media-unavailable`, `media-failed`). */
  async start(): Promise<void> {
    const { audio, video } = this.kinds;
    if (!audio && !video) return;
    let stream: MediaStream;
    try {
      stream = await this.#devices.getUserMedia({ audio, video: video ? CAMERA_CONSTRAINTS : false });
    } catch (err) {
      throw mediaError(err);
    }
    if (this.#closed) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    this.#cameraWanted = video;
    this.#setSlot('audio', stream.getAudioTracks()[0] ?? null);
    this.#setSlot('video', stream.getVideoTracks()[0] ?? null);
    this.#changed();
  }

  /** Mutes or unmutes the microphone (the track stays; peers hear silence). */
  setAudioEnabled(on: boolean): void {
    if (!this.audio || this.audio.enabled === on) return;
    this.audio.enabled = on;
    this.#changed();
  }

  /** Turns the camera off (stopped, light off, nothing sent) or on again (a new track). */
  async setVideoEnabled(on: boolean): Promise<void> {
    this.#cameraWanted = on;
    if (this.#screen) return this.#changed(); // the camera comes back when sharing ends
    if (!on) {
      const t = this.video;
      this.#setSlot('video', null);
      t?.stop();
      return this.#changed();
    }
    if (this.video) return;
    let stream: MediaStream;
    try {
      stream = await this.#devices.getUserMedia({ video: CAMERA_CONSTRAINTS });
    } catch (err) {
      this.#cameraWanted = false;
      throw mediaError(err);
    }
    if (this.#closed || !this.#cameraWanted || this.#screen) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    this.#setSlot('video', stream.getVideoTracks()[0]);
    this.#changed();
  }

  /** Shares the screen in place of the camera until it ends (by the browser UI or {@link stopScreenShare}). */
  async startScreenShare(): Promise<void> {
    if (this.#screen) return;
    if (!this.#devices.getDisplayMedia) throw new MeshError('media-unavailable', 'this browser cannot share the screen');
    let stream: MediaStream;
    try {
      stream = await this.#devices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      throw mediaError(err);
    }
    const track = stream.getVideoTracks()[0];
    if (this.#closed || !track) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    const camera = this.video;
    this.#screen = track;
    this.#setSlot('video', track);
    camera?.stop();
    track.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
    this.#changed();
  }

  /** Ends the screen share and turns the camera back on if it was on. */
  async stopScreenShare(): Promise<void> {
    const screen = this.#screen;
    if (!screen) return;
    this.#screen = null;
    this.#setSlot('video', null);
    screen.stop();
    this.#changed();
    if (this.#cameraWanted && this.kinds.video) await this.setVideoEnabled(true).catch(() => this.#changed());
  }

  /** Stops every track. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [this.audio, this.video, this.#screen]) t?.stop();
    this.audio = this.video = this.#screen = null;
    for (const t of this.stream.getTracks()) this.stream.removeTrack(t);
  }

  #setSlot(kind: 'audio' | 'video', track: MediaStreamTrack | null): void {
    const old = this[kind];
    if (old === track) return;
    if (old) this.stream.removeTrack(old);
    if (track) this.stream.addTrack(track);
    this[kind] = track;
  }

  #changed(): void {
    this.emit('change', this.state);
  }
}
