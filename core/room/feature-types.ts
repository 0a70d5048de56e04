import type { MeshError } from '../base/errors.js';
import type { HysteresisOptions } from '../link/quality-tracker.js';

/**
 * The public shapes of the room's features (media, files, recording). The kernel names them in
 * its API; the features, loaded on first use, implement them. Imports nothing from core/room/.
 */

/** Which media this peer sends. */
export interface MediaKinds { audio: boolean; video: boolean }

/** What a peer is sending right now. */
export interface MediaState {
  /** A microphone track exists and is unmuted. */
  audio: boolean;
  /** A camera (or screen) track is being sent. */
  video: boolean;
  /** The video is a screen share. */
  screen: boolean;
}

/** A kind of media that can stall. */
export type StallKind = 'audio' | 'video';

/**
 * A peer's incoming media that stopped moving while the peer says it sends it (video frames not
 * decoded, or audio played out only as concealment, for about 2 s), and how its repair stands.
 */
export interface StreamStall {
  kinds: StallKind[];
  /** The repair step under way (`key-frame`, `renegotiate`, `ice-restart`, `recreate`), `failed` when all were tried, or `off`. */
  repair: string;
  /** Clock time the stall was noticed, ms. */
  since: number;
}

/** The browser functions used for devices (injectable for pages that wrap them). */
export interface MediaDevicesLike {
  getUserMedia(c: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia?(c?: DisplayMediaStreamOptions): Promise<MediaStream>;
}

/** Media and health knobs of a room. */
export interface MediaOptions {
  /** What to send: `{ audio: true, video: true }`; absent or both false for a data-only member. */
  media?: MediaKinds | null;
  /** How often to measure each link, ms. Default 2000. */
  healthIntervalMs?: number;
  hysteresis?: Partial<HysteresisOptions>;
  /** Step video down on fair/poor links and back up on good ones. Default true. */
  adaptiveBitrate?: boolean;
  /** Repair a peer's stream that stops moving (key frame, renegotiation, ICE restart, new connection). Default true. */
  repairStalls?: boolean;
  /** Tell the relay (`POST /rooms/:id/quality`) when our worst link changes level. Default true. */
  reportQuality?: boolean;
  mediaDevices?: MediaDevicesLike;
}

/** Our microphone, camera and screen share, as `room.localMedia` offers them. */
export interface LocalMediaControls extends EventTarget {
  /** What this member asked to send. */
  readonly kinds: MediaKinds;
  /** The stream peers receive (its tracks change; the object stays). */
  readonly stream: MediaStream;
  readonly audio: MediaStreamTrack | null;
  readonly video: MediaStreamTrack | null;
  readonly state: MediaState;
  /** Mutes (false) or unmutes the microphone: instant, no renegotiation. */
  setAudioEnabled(on: boolean): void;
  /** Turns the camera off (its light goes off) or on again. */
  setVideoEnabled(on: boolean): Promise<void>;
  /** Shares the screen in place of the camera until stopped (or the browser's own stop button). */
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
}

/**
 * `offered` → `active` ⇄ `paused` → `verifying` → `done`; or `rejected`, `cancelled`, `failed`
 * (digest mismatch) and `interrupted` (the other side left the room). `paused` means the
 * connection is healing: the transfer continues from the last chunk the receiver holds.
 */
export type TransferStatus = 'offered' | 'active' | 'paused' | 'verifying' | 'done' | 'rejected' | 'cancelled' | 'failed' | 'interrupted';

/** What the application sees of a transfer (a snapshot; a new one comes with every change). */
export interface FileTransfer {
  /** The file's id; the same for every receiver of one offer. */
  id: string;
  direction: 'in' | 'out';
  /** The other side: the sender of an incoming file, the receiver of an outgoing one. */
  peer: string;
  name: string;
  size: number;
  /** MIME type as the sender's browser reported it (may be empty). */
  type: string;
  status: TransferStatus;
  /** Bytes the receiver holds and has hashed. */
  bytes: number;
  /** Recent speed, bytes per second (null before there is one). */
  bytesPerSecond: number | null;
  /** Estimated seconds left (null when unknown). */
  secondsLeft: number | null;
  /** Why the transfer ended, for `rejected`, `cancelled`, `failed` and `interrupted`. */
  error: MeshError | null;
}

/** File-transfer knobs of a room. */
export interface FileOptions {
  /** Largest file this member sends or accepts, bytes. Default 2 GiB. */
  maxFileBytes?: number;
  /** Incoming files up to this size are accepted without asking, bytes. Default 1 MiB. */
  autoAcceptBytes?: number;
  /**
   * Chunk size, bytes (1 KiB–128 KiB; less when a receiver's SCTP takes smaller messages).
   * Default 128 KiB: on Chromium, 50 MB move ~1.6× faster than with 64 KiB (`bench/files.mjs`).
   */
  chunkBytes?: number;
}

export const DEFAULT_FILE_OPTIONS: Required<FileOptions> = {
  maxFileBytes: 2 * 1024 ** 3,
  autoAcceptBytes: 1024 ** 2,
  chunkBytes: 128 * 1024,
};

export interface RecordingOptions {
  /** Size of the composed video, px. Default 1280×720. */
  width?: number;
  height?: number;
  /** Frames per second of the composition. Default 15. */
  fps?: number;
  /**
   * The recorder class (default: the browser's `MediaRecorder`); `null` stands for a browser
   * that has none. An injection seam, like `WebSocket` and `RTCPeerConnection` of the room.
   */
  MediaRecorder?: typeof MediaRecorder | null;
}

/** What a `recording` event tells: we started, or stopped (then with the file: WebM, or MP4 in Safari). */
export interface RecordingChange { recording: boolean; audio?: boolean; blob?: Blob }
