import type { FileTransfer, LostReport, MediaState, PeerInfo, ReconnectReport, RoomMessage, RoomState } from '../core/index.js';

/** Every mesh-room DOM event: bubbles, crosses shadow roots, not cancelable; `detail` carries the data. */
export class MeshEvent<T> extends Event {
  constructor(type: string, readonly detail: T) {
    super(type, { bubbles: true, composed: true });
  }
}

export interface StateChangeDetail { from: RoomState; to: RoomState; reason: string }
export interface PeerLeaveDetail { peer: PeerInfo; reason: string }
export interface ErrorDetail { code: string; message: string }
export type ReconnectedDetail = ReconnectReport;
export interface RecordingDetail { recording: boolean; /** Who: our own id, or a peer's. */ by: string; blob?: Blob }

/** The detail of each event `<mesh-room>` fires. */
export interface MeshEventDetails {
  /** The room's state changed. */
  'mesh-state-change': StateChangeDetail;
  /** A peer joined. */
  'mesh-peer-join': PeerInfo;
  /** A peer left. */
  'mesh-peer-leave': PeerLeaveDetail;
  /** A peer's link, presence or quality changed. */
  'mesh-peer-update': PeerInfo;
  /** A room message, exactly once (own messages too). */
  'mesh-message': RoomMessage;
  /** One of our messages is stored by the relay. */
  'mesh-acked': { id: string; n: number };
  /** The relay connection came back and catch-up finished. */
  'mesh-reconnected': ReconnectedDetail;
  /** Messages could not be recovered. */
  'mesh-messages-lost': LostReport;
  /** Our own media changed (mute, camera, screen share). */
  'mesh-local-media': MediaState;
  /** The relay became unreachable (peers still talk directly) or reachable. */
  'mesh-relay-status': { reachable: boolean };
  /** An error the user should know about. */
  'mesh-error': ErrorDetail;
  /** Someone offers us a file. */
  'mesh-file-offer': FileTransfer;
  /** A file transfer changed state or made progress. */
  'mesh-file-update': FileTransfer;
  /** A file arrived and its SHA-256 digest matched. */
  'mesh-file-received': { transfer: FileTransfer; blob: Blob };
  /** We or a peer started or stopped recording (ours with the file: WebM, or MP4 in Safari). */
  'mesh-recording': RecordingDetail;
}

export type MeshStateChangeEvent = MeshEvent<StateChangeDetail>;
export type MeshPeerJoinEvent = MeshEvent<PeerInfo>;
export type MeshPeerLeaveEvent = MeshEvent<PeerLeaveDetail>;
export type MeshPeerUpdateEvent = MeshEvent<PeerInfo>;
export type MeshMessageEvent = MeshEvent<RoomMessage>;
export type MeshAckedEvent = MeshEvent<{ id: string; n: number }>;
export type MeshReconnectedEvent = MeshEvent<ReconnectedDetail>;
export type MeshMessagesLostEvent = MeshEvent<LostReport>;
export type MeshLocalMediaEvent = MeshEvent<MediaState>;
export type MeshRelayStatusEvent = MeshEvent<{ reachable: boolean }>;
export type MeshErrorEvent = MeshEvent<ErrorDetail>;
export type MeshFileOfferEvent = MeshEvent<FileTransfer>;
export type MeshFileUpdateEvent = MeshEvent<FileTransfer>;
export type MeshFileReceivedEvent = MeshEvent<{ transfer: FileTransfer; blob: Blob }>;
export type MeshRecordingEvent = MeshEvent<RecordingDetail>;

declare global {
  // Every `mesh-*` event, typed for addEventListener on any element.
  interface GlobalEventHandlersEventMap extends MeshEventMap {}
}

/** `addEventListener` types for the `mesh-*` events. */
export type MeshEventMap = { [K in keyof MeshEventDetails]: MeshEvent<MeshEventDetails[K]> };
