/**
 * The recording feature's door: a room installs it on its first recording (a separate chunk
 * in the built package).
 *
 * @packageDocumentation
 */
import type { FeatureHost, RecordingFeature } from '../room/feature.js';
import { RoomRecording } from './room-recording.js';

/** Installs local recording into a room. */
export function installRecording(host: FeatureHost): RecordingFeature {
  return new RoomRecording(host);
}

export { RoomRecorder, type RecorderSource } from './room-recorder.js';
export type { RecordingOptions, RecordingChange } from '../room/feature-types.js';
