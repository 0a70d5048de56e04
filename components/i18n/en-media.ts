import type { MediaStringKey, MeshStrings } from '../shared/strings.js';

/** English of the call elements (`<mesh-video-grid>`, `<mesh-media-controls>`); they add it when they load. */
export const EN_MEDIA = {
  micOn: 'Mute microphone',
  micOff: 'Unmute microphone',
  cameraOn: 'Turn camera off',
  cameraOff: 'Turn camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  mediaControls: 'Call controls',
  participants: 'Participants',
  muted: 'muted',
  noVideo: 'camera off',
  sharing: 'sharing screen',
  enableSound: 'Click to hear the others',
  previousPage: 'Previous participants',
  nextPage: 'More participants',
  page: (current, of) => `${current} of ${of}`,
  speaking: 'speaking',
  record: 'Record',
  stopRecording: 'Stop recording',
} satisfies Pick<MeshStrings, MediaStringKey>;
