/**
 * mesh-room core: plain TypeScript, no custom elements, no lit. Runs in any browser page.
 * This is the kernel's door; each feature has its own (`media/index.ts`, `files/index.ts`,
 * `recording/index.ts`), which a room loads by itself the first time it needs it.
 *
 * @example
 * import { Room } from 'mesh-room/core';
 * const room = new Room({ relay: 'wss://example.org/ws', room: 'standup', name: 'Ada' });
 * await room.join();
 *
 * @packageDocumentation
 */
export { Room, FEATURES } from './room.js';
export { RoomKernel, ROOM_TRANSITIONS, type RoomOptions, type RoomState, type RoomEventMap, type PeerInfo, type Quality } from './room/room.js';
export type { RoomFeature, FeatureHost, FeatureLoaders, FeatureInstall, FeatureMap, MediaFeature, FilesFeature, RecordingFeature } from './room/feature.js';
export {
  DEFAULT_FILE_OPTIONS, type MediaKinds, type MediaState, type MediaDevicesLike, type MediaOptions, type LocalMediaControls,
  type FileTransfer, type FileOptions, type TransferStatus, type StallKind, type StreamStall, type RecordingOptions, type RecordingChange,
} from './room/feature-types.js';
// Link health is loaded with a room's first connected link; only its types are part of this door.
export type { PeerHealth, HealthMonitorOptions } from './link/health-monitor.js';
export type { HealthMetrics, StatsSample } from './link/health-stats.js';
export type { HysteresisOptions } from './link/quality-tracker.js';
export { PeerLink, LINK_TRANSITIONS, DEFAULT_LINK_TUNING, type LinkState, type LinkTuning, type PeerLinkOptions, type LinkEventMap, type LinkTracks } from './link/peer-link.js';
export { SignalingClient } from './signaling/signaling-client.js';
export { SIGNALING_TRANSITIONS, DEFAULT_SIGNALING_TUNING, type SignalingState, type SignalingTuning, type SignalingClientOptions, type StateChange, type WebSocketLike, type WebSocketConstructor, type OutboxView } from './signaling/signaling-types.js';
export { MessageExchange, DEFAULT_MESSAGE_TUNING, type RoomMessage, type MessageTuning, type MessageVia, type ReconnectReport, type LostReport } from './delivery/message-exchange.js';
export type { DeliveryPorts, DirectPath, RelayPath, MemberDirectory } from './delivery/ports.js';
export { MeshError, describeError, CLIENT_ERROR_CODES, type MeshErrorCode } from './base/errors.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './base/backoff.js';
export { StateMachine, type TransitionTable } from './base/state-machine.js';
export { systemClock, type Clock } from './base/clock.js';
export { PROTOCOL_VERSION, PROTOCOL_LIMITS, type ErrorCode } from './protocol.js';
export { normalizeName, nameKey } from './protocol/frame-validation.js';
export type { QualityLevel, QualityMetrics } from './protocol/quality.js';
