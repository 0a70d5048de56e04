import type { Clock } from '../base/clock.js';
import type { LinkTracks, PeerLink } from '../link/peer-link.js';
import type { HealthMetrics } from '../link/health-stats.js';
import type { QualityLevel } from '../protocol/quality.js';
import type { SfuFrame, SfuReplyFrame } from '../protocol/wire-types.js';
import type { FileTransfer, LocalMediaControls, MediaState, RecordingOptions, StreamStall } from './feature-types.js';
import type { PeerInfo, RoomEventMap, RoomOptions } from './room-types.js';

/**
 * The one interface between the room kernel and a feature (media, files, recording). A feature
 * is installed into a room the first time it is used, through a loader the room was given (a
 * dynamic `import()`, so a page that never uses it never downloads it); the kernel never imports
 * one. After install it hears about every link (those already there first), members leaving,
 * link quality, and the room leaving.
 */
export interface RoomFeature {
  /** A link to member `id` was made (or, on install, is already there). */
  link?(id: string, link: PeerLink): void;
  /** Member `id` left the room. */
  unlink?(id: string): void;
  /** A health sample of the link to `id`. */
  health?(id: string, quality: QualityLevel, link: PeerLink): void;
  /** The room's media moved from the links to the relay's SFU. */
  transport?(transport: 'sfu'): void;
  /** We leave the room (or it failed): end what is under way. The room may join again. */
  leave?(): void;
  /** The room closes for good. */
  close?(): void;
}

/** What a feature gets from the room it is installed into. */
export interface FeatureHost {
  readonly selfId: string;
  readonly selfName: string;
  readonly clock: Clock;
  readonly options: RoomOptions;
  /** Live links by member id. */
  links(): Array<[string, PeerLink]>;
  /** The other members, in join order. */
  peers(): PeerInfo[];
  /** True while the room is joined (possibly healing). */
  inRoom(): boolean;
  /** Our microphone and camera, when the media feature has them. */
  localMedia(): LocalMediaControls | null;
  /** ICE servers and policy for a new peer connection (TURN credentials kept fresh). */
  rtcConfig(): RTCConfiguration;
  /** Where the room's media goes now: over the links (`mesh`) or through the relay's SFU. */
  transport(): 'mesh' | 'sfu';
  /** Sends a frame to the relay's SFU; false when the relay cannot take it now. */
  sfu(frame: SfuFrame): boolean;
  /** Shows (or, with null, clears) member `id`'s media that does not come over its link (SFU mode). */
  remoteStream(id: string, stream: MediaStream | null): void;
  /** Tells every peer, now and on each new link, what we send and whether we record. */
  announce(patch: Partial<MediaState & { recording: boolean }>): void;
  /** Shows (or, with null, clears) a stall of member `id`'s incoming media as `peer.stall`. */
  stall(id: string, stall: StreamStall | null): void;
  /**
   * A health sample of member `id`'s media when it does not come over its link (SFU mode): shown as
   * `peer.quality` and `peer.metrics` in place of the link's, which carries only messages then.
   */
  health(id: string, quality: QualityLevel, metrics: HealthMetrics): void;
  /** Dispatches one of the room's events. */
  emit<K extends keyof RoomEventMap & string>(type: K, detail: RoomEventMap[K] extends CustomEvent<infer D> ? D : never): void;
}

/** Our microphone and camera: started on each join, sent on every link. */
export interface MediaFeature extends RoomFeature {
  readonly local: LocalMediaControls | null;
  /** Asks for the devices; a failure is reported as an `error` event and the room goes on without. */
  start(): Promise<void>;
  /** The sending side of one new peer connection. */
  tracks(pc: RTCPeerConnection): LinkTracks;
}

/** File transfers over each link's `files` channel. */
export interface FilesFeature extends RoomFeature {
  readonly all: FileTransfer[];
  /** Offers `file` (already checked by the room) to `peers` under the id the room chose. */
  send(id: string, file: Blob, name: string, peers: string[]): void;
  /** A frame that arrived on a `files` channel before the feature was installed. */
  frame(peer: string, data: string | ArrayBuffer): void;
  accept(id: string): void;
  reject(id: string): void;
  cancel(id: string): void;
  blob(id: string): Blob | null;
}

/** The room's one local recording. */
export interface RecordingFeature extends RoomFeature {
  readonly active: boolean;
  start(options?: RecordingOptions): Promise<void>;
  stop(): Promise<Blob | null>;
}

/** Media through the relay's SFU (rooms in SFU mode): publish ours, subscribe to every member's. */
export interface SfuFeature extends RoomFeature {
  /** Publishes and subscribes (once joined; again after a leave). */
  start(): void;
  /** A reply of the relay's SFU. */
  fromRelay(frame: SfuReplyFrame): void;
  /** The feature's peer connections to the SFU (diagnostics and tests). */
  readonly connections: RTCPeerConnection[];
  /** The connection bringing member `id`'s media, if any. */
  connectionOf(id: string): RTCPeerConnection | null;
  /** The members the page shows, with their tiles' widths in device pixels (null: all); the others get the SFU's lowest layer. */
  visible(tiles: Map<string, number> | null): void;
}

export interface FeatureMap {
  media: MediaFeature;
  files: FilesFeature;
  recording: RecordingFeature;
  sfu: SfuFeature;
}

/** Installs a feature into a room. */
export type FeatureInstall<F> = (host: FeatureHost) => F;

/** Where each feature comes from: a loader per name, usually a dynamic `import()`. */
export type FeatureLoaders = { [K in keyof FeatureMap]?: () => Promise<FeatureInstall<FeatureMap[K]>> };
