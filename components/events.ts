import type { FileTransfer, LostReport, MediaState, PeerInfo, ReconnectReport, RoomMessage, RoomState } from '../core/index.js';

/** Base of every mesh-room DOM event: bubbles, crosses shadow roots, not cancelable. */
export class MeshEvent<T> extends Event {
  constructor(type: string, readonly detail: T) {
    super(type, { bubbles: true, composed: true });
  }
}

export interface StateChangeDetail { from: RoomState; to: RoomState; reason: string }
export interface PeerLeaveDetail { peer: PeerInfo; reason: string }
export interface ErrorDetail { code: string; message: string }
export type ReconnectedDetail = ReconnectReport;

/** Fired by `<mesh-room>` when its state changes. */
export class MeshStateChangeEvent extends MeshEvent<StateChangeDetail> { constructor(d: StateChangeDetail) { super('mesh-state-change', d); } }
/** Fired by `<mesh-room>` when a peer joins. */
export class MeshPeerJoinEvent extends MeshEvent<PeerInfo> { constructor(d: PeerInfo) { super('mesh-peer-join', d); } }
/** Fired by `<mesh-room>` when a peer leaves. */
export class MeshPeerLeaveEvent extends MeshEvent<PeerLeaveDetail> { constructor(d: PeerLeaveDetail) { super('mesh-peer-leave', d); } }
/** Fired by `<mesh-room>` when a peer's link, presence or quality changes. */
export class MeshPeerUpdateEvent extends MeshEvent<PeerInfo> { constructor(d: PeerInfo) { super('mesh-peer-update', d); } }
/** Fired by `<mesh-room>` for every room message, exactly once (own messages too). */
export class MeshMessageEvent extends MeshEvent<RoomMessage> { constructor(d: RoomMessage) { super('mesh-message', d); } }
/** Fired by `<mesh-room>` when one of its messages is stored by the relay. */
export class MeshAckedEvent extends MeshEvent<{ id: string }> { constructor(d: { id: string }) { super('mesh-acked', d); } }
/** Fired by `<mesh-room>` after the relay connection came back and catch-up finished. */
export class MeshReconnectedEvent extends MeshEvent<ReconnectedDetail> { constructor(d: ReconnectedDetail) { super('mesh-reconnected', d); } }
/** Fired by `<mesh-room>` when messages could not be recovered. */
export class MeshMessagesLostEvent extends MeshEvent<LostReport> { constructor(d: LostReport) { super('mesh-messages-lost', d); } }
/** Fired by `<mesh-room>` when our own media changes (mute, camera, screen share). */
export class MeshLocalMediaEvent extends MeshEvent<MediaState> { constructor(d: MediaState) { super('mesh-local-media', d); } }
/** Fired by `<mesh-room>` when the relay becomes unreachable (peers still talk directly) or reachable. */
export class MeshRelayStatusEvent extends MeshEvent<{ reachable: boolean }> { constructor(d: { reachable: boolean }) { super('mesh-relay-status', d); } }
/** Fired by `<mesh-room>` on an error the user should know about. */
export class MeshErrorEvent extends MeshEvent<ErrorDetail> { constructor(d: ErrorDetail) { super('mesh-error', d); } }

/** Fired by `<mesh-room>` when someone offers us a file. */
export class MeshFileOfferEvent extends MeshEvent<FileTransfer> { constructor(d: FileTransfer) { super('mesh-file-offer', d); } }
/** Fired by `<mesh-room>` when a file transfer changes state or makes progress. */
export class MeshFileUpdateEvent extends MeshEvent<FileTransfer> { constructor(d: FileTransfer) { super('mesh-file-update', d); } }
/** Fired by `<mesh-room>` when a file arrived and its SHA-256 digest matched. */
export class MeshFileReceivedEvent extends MeshEvent<{ transfer: FileTransfer; blob: Blob }> { constructor(d: { transfer: FileTransfer; blob: Blob }) { super('mesh-file-received', d); } }
/** Fired by `<mesh-room>` when we start or stop recording (with the WebM file), and when a peer does. */
export class MeshRecordingEvent extends MeshEvent<RecordingDetail> { constructor(d: RecordingDetail) { super('mesh-recording', d); } }
export interface RecordingDetail { recording: boolean; /** Who: our own id, or a peer's. */ by: string; blob?: Blob }

declare global {
  interface GlobalEventHandlersEventMap {
    'mesh-state-change': MeshStateChangeEvent;
    'mesh-peer-join': MeshPeerJoinEvent;
    'mesh-peer-leave': MeshPeerLeaveEvent;
    'mesh-peer-update': MeshPeerUpdateEvent;
    'mesh-message': MeshMessageEvent;
    'mesh-acked': MeshAckedEvent;
    'mesh-reconnected': MeshReconnectedEvent;
    'mesh-messages-lost': MeshMessagesLostEvent;
    'mesh-local-media': MeshLocalMediaEvent;
    'mesh-relay-status': MeshRelayStatusEvent;
    'mesh-error': MeshErrorEvent;
    'mesh-file-offer': MeshFileOfferEvent;
    'mesh-file-update': MeshFileUpdateEvent;
    'mesh-file-received': MeshFileReceivedEvent;
    'mesh-recording': MeshRecordingEvent;
  }
}
