/**
 * The media feature's door: a room installs it on join when it sends audio or video (a
 * separate chunk in the built package). Also the values a page may use directly.
 *
 * @packageDocumentation
 */
export { installMedia } from './media-feature.js';
export { LocalMedia, mediaError, CAMERA_CONSTRAINTS, type LocalMediaEventMap } from './local-media.js';
export { LinkMedia } from './link-media.js';
export { StallRepair, REPAIR_TRANSITIONS, REPAIR_STEPS, REPAIR_STEP_MS, type RepairState, type RepairStep, type RepairActions, type StallReading } from './stall-repair.js';
export { StallDetector, inboundProgress, type InboundProgress } from './stall-detector.js';
export { AdaptiveBitrate, BITRATE_LADDER, type BitrateStep } from './adaptive-bitrate.js';
export type { MediaKinds, MediaState, MediaDevicesLike, MediaOptions, LocalMediaControls } from '../room/feature-types.js';
