/**
 * mesh-room core: plain TypeScript, no custom elements, no lit. Runs in any browser page.
 *
 * @example
 * import { Room } from 'mesh-room/core';
 * const room = new Room({ relay: 'wss://example.org/ws', room: 'standup', name: 'Ada' });
 * await room.join();
 *
 * @packageDocumentation
 */
export { Room, ROOM_TRANSITIONS, type RoomOptions, type RoomState, type RoomEventMap, type PeerInfo, type Quality } from './room/room.js';
export { LocalMedia, mediaError, CAMERA_CONSTRAINTS, type MediaKinds, type MediaState, type MediaDevicesLike } from './media/local-media.js';
export type { MediaOptions } from './media/room-media.js';
export { HealthMonitor, type PeerHealth, type HealthMonitorOptions } from './link/health-monitor.js';
export { sampleStats, metricsBetween, type HealthMetrics, type StatsSample } from './link/health-stats.js';
export { QualityTracker, classifyScaled, DEFAULT_HYSTERESIS, type HysteresisOptions } from './link/quality-tracker.js';
export { AdaptiveBitrate, BITRATE_LADDER, type BitrateStep } from './media/adaptive-bitrate.js';
export { PeerLink, LINK_TRANSITIONS, DEFAULT_LINK_TUNING, type LinkState, type LinkTuning, type PeerLinkOptions, type LinkEventMap } from './link/peer-link.js';
export { TRANSFER_TRANSITIONS, DEFAULT_FILE_OPTIONS, type FileTransfer, type FileOptions, type TransferStatus } from './files/file-types.js';
export { RoomRecorder, type RecordingOptions, type RecorderSource } from './recording/room-recorder.js';
export { SignalingClient } from './signaling/signaling-client.js';
export { SIGNALING_TRANSITIONS, DEFAULT_SIGNALING_TUNING, type SignalingState, type SignalingTuning, type SignalingClientOptions, type StateChange, type WebSocketLike, type WebSocketConstructor } from './signaling/signaling-types.js';
export { MessageExchange, DEFAULT_MESSAGE_TUNING, type RoomMessage, type MessageTuning, type MessageVia, type ReconnectReport, type LostReport } from './delivery/message-exchange.js';
export { MeshError, describeError, CLIENT_ERROR_CODES, type MeshErrorCode } from './base/errors.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './base/backoff.js';
export { StateMachine, type TransitionTable } from './base/state-machine.js';
export { systemClock, type Clock } from './base/clock.js';
export { PROTOCOL_VERSION, PROTOCOL_LIMITS, type ErrorCode } from './protocol.js';
export { normalizeName, nameKey } from './protocol/frame-validation.js';
export { QUALITY_THRESHOLDS, classifyQuality, qualityRecommendations, type QualityLevel, type QualityMetrics } from './protocol/quality.js';
