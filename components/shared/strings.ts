import type { RoomState } from '../../core/index.js';

/** Every user-visible string of the elements. Override per element with the `strings` property. */
export interface MeshStrings {
  state: Record<RoomState, string>;
  peers(n: number): string;
  messageLabel: string;
  send: string;
  chatLog: string;
  empty: string;
  you: string;
  sending: string;
  caughtUp(n: number): string;
  lost(n: number): string;
  relayRestarted: string;
  relayUnavailable: string;
  micOn: string;
  micOff: string;
  cameraOn: string;
  cameraOff: string;
  shareScreen: string;
  stopSharing: string;
  leave: string;
  join: string;
  mediaControls: string;
  participants: string;
  muted: string;
  noVideo: string;
  sharing: string;
  enableSound: string;
  quality: Record<'good' | 'fair' | 'poor', string>;
  /** Compact figures for the status badge, e.g. "12 ms · 0.5 % loss · 1.2 Mbit/s". */
  figures(rttMs: number | null, lossPercent: number | null, kbps: number | null): string;
  errors: Record<string, string>;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const EN: MeshStrings = {
  state: {
    idle: 'Not connected',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    failed: 'Disconnected',
    closed: 'Left the room',
  },
  peers: (n) => (n === 0 ? 'nobody else here' : plural(n, 'other person', 'other people')),
  messageLabel: 'Message',
  send: 'Send',
  chatLog: 'Chat messages',
  empty: 'No messages yet.',
  you: 'you',
  sending: 'sending…',
  caughtUp: (n) => (n === 0 ? 'Reconnected.' : `Reconnected — ${plural(n, 'message', 'messages')} caught up.`),
  lost: (n) => `${plural(n, 'older message', 'older messages')} could not be recovered.`,
  relayRestarted: 'The server had restarted; messages from people who left meanwhile cannot be checked.',
  micOn: 'Mute microphone',
  micOff: 'Unmute microphone',
  cameraOn: 'Turn camera off',
  cameraOff: 'Turn camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  leave: 'Leave',
  join: 'Join again',
  mediaControls: 'Call controls',
  participants: 'Participants',
  muted: 'muted',
  noVideo: 'camera off',
  sharing: 'sharing screen',
  enableSound: 'Click to hear the others',
  quality: { good: 'good connection', fair: 'fair connection', poor: 'poor connection' },
  figures: (rtt, loss, kbps) => [
    rtt === null ? '' : `${Math.round(rtt)} ms`,
    loss === null ? '' : `${loss < 10 ? loss.toFixed(1) : Math.round(loss)} % loss`,
    kbps === null ? '' : kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`,
  ].filter(Boolean).join(' · '),
  relayUnavailable: 'Server unreachable — messages go directly to peers and are delivered to everyone once it is back.',
  errors: {
    'name-taken': 'That name is already used in this room. Choose another name and join again.',
    'room-full': 'This room is full. Try again later or use another room.',
    'invalid-name': 'Names need 1–64 visible characters.',
    'invalid-room': 'Room names use letters, digits, dot, dash and underscore (up to 64).',
    'token-invalid': 'The access token for this room is not valid. Reload the page to get a new one.',
    'token-expired': 'The access token for this room has expired. Reload the page to get a new one.',
    'origin-denied': 'This page is not allowed to use the room server.',
    'signaling-failed': 'The room server cannot be reached. Check your connection; joining again will retry.',
    'payload-too-large': 'That message is too long to send.',
    'outbox-full': 'Too many messages are waiting for the server. Wait a moment and try again.',
    'turn-unavailable': 'The relay server for difficult networks could not be reached; calls through strict firewalls may fail.',
    'media-denied': 'Camera and microphone are blocked for this page. Allow them in the browser\'s site settings to be seen and heard; chat works meanwhile.',
    'media-unavailable': 'No camera or microphone was found. You can still chat and watch.',
    'media-failed': 'The camera or microphone could not be started (another app may be using it). You can still chat.',
  },
};
