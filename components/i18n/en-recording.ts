import { formatBytes, type MeshStrings, type RecordingStringKey } from '../shared/strings.js';

/** English of the recording indicator of `<mesh-room>`; it adds it when it loads. */
export const EN_RECORDING = {
  recordingBy: (self, names) => (self && names.length === 0 ? 'You are recording this room.'
    : `${[...(self ? ['You'] : []), ...names].join(', ')} ${self || names.length > 1 ? 'are' : 'is'} recording this room.`),
  downloadRecording: (b) => `Download the recording (${formatBytes('en', b)})`,
} satisfies Pick<MeshStrings, RecordingStringKey>;
