import { describeError, type RoomState } from '../../core/index.js';

/**
 * Every user-visible string of the elements. Each element picks the table of its language (the
 * nearest `lang` attribute, across shadow roots, else the document's) and lays its `strings`
 * property over it, so a page can change one string or translate all of them.
 */
export interface MeshStrings {
  /** Formats a past time relative to now ("2 minutes ago"); uses Intl.RelativeTimeFormat. */
  ago(at: number, now: number): string;
  state: Record<RoomState, string>;
  peers(n: number): string;
  yourName: string;
  joinRoom: string;
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
  /** The grid's pager (more participants than tiles) and the active speaker's label. */
  previousPage: string;
  nextPage: string;
  page(current: number, of: number): string;
  speaking: string;
  quality: Record<'good' | 'fair' | 'poor', string>;
  /** A peer's media that stopped moving (shown on its tile and in the badge). */
  stalled: Record<'audio' | 'video', string>;
  /** Said of a stall while it is being repaired. */
  repairing: string;
  /** Said of a stall that every repair step failed to fix. */
  unrepaired: string;
  /** Compact figures for the status badge, e.g. "12 ms · 0.5 % loss · 1.2 Mbit/s". */
  figures(rttMs: number | null, lossPercent: number | null, kbps: number | null): string;
  attachFile: string;
  dropFiles: string;
  accept: string;
  decline: string;
  cancel: string;
  download: string;
  /** "1.5 MB" */
  size(bytes: number): string;
  /** A file transfer's state in words, e.g. "3.2 MB/s · 4 s left", "waiting for the connection…". */
  fileStatus(t: { status: string; direction: 'in' | 'out'; bytesPerSecond: number | null; secondsLeft: number | null; receivers: number; done: number }): string;
  record: string;
  stopRecording: string;
  /** Who records the room: `self` when we do, and the names of the others who do. */
  recordingBy(self: boolean, names: string[]): string;
  downloadRecording(bytes: number): string;
  errors: Record<string, string>;
}

/** "1.5 MB" in `locale` (decimal units, as file managers show). */
export function formatBytes(locale: string, bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}

/** "1 file", "2 files": `n` and the word for one or for many. */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "now", "2 minutes ago", "3 hours ago"…, in `locale`, for times within a day; else the clock time. */
export function relativeTime(locale: string, at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (seconds > -45) return rtf.format(0, 'second');
  if (seconds > -3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (seconds > -86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(at);
}

/** Strings the call elements bring along (`i18n/en-media.ts`), for a call's grid and controls. */
export type MediaStringKey = 'micOn' | 'micOff' | 'cameraOn' | 'cameraOff' | 'shareScreen' | 'stopSharing' | 'mediaControls' | 'participants' | 'muted' | 'noVideo' | 'sharing' | 'enableSound' | 'record' | 'stopRecording' | 'previousPage' | 'nextPage' | 'page' | 'speaking';
/** Strings the chat's file view brings along (`i18n/en-files.ts`), error texts of transfers included. */
export type FileStringKey = 'accept' | 'decline' | 'cancel' | 'download' | 'size' | 'fileStatus';
/** Strings the recording indicator brings along (`i18n/en-recording.ts`). */
export type RecordingStringKey = 'recordingBy' | 'downloadRecording';

/**
 * English, the built-in language. The strings of the parts a page loads when used (the call
 * elements, the chat's file view, the recording indicator) come with those parts and join this
 * table then ({@link addEnglish}), so a chat page does not download them; a table registered for
 * another language has them all from the start.
 */
export const EN = ({
  ago: (at, now) => relativeTime('en', at, now),
  state: {
    idle: 'Not connected',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    failed: 'Disconnected',
    closed: 'Left the room',
  },
  peers: (n) => (n === 0 ? 'nobody else here' : plural(n, 'other person', 'other people')),
  yourName: 'Your name',
  joinRoom: 'Join',
  messageLabel: 'Message',
  send: 'Send',
  chatLog: 'Chat messages',
  empty: 'No messages yet.',
  you: 'you',
  sending: 'sending…',
  caughtUp: (n) => (n === 0 ? 'Reconnected.' : `Reconnected — ${plural(n, 'message', 'messages')} caught up.`),
  lost: (n) => `${plural(n, 'older message', 'older messages')} could not be recovered.`,
  relayRestarted: 'The server had restarted; messages from people who left meanwhile cannot be checked.',
  leave: 'Leave',
  join: 'Join again',
  quality: { good: 'good connection', fair: 'fair connection', poor: 'poor connection' },
  stalled: { video: 'video frozen', audio: 'sound stopped' },
  repairing: 'repairing…',
  unrepaired: 'could not be repaired; they may need to rejoin',
  figures: (rtt, loss, kbps) => [
    rtt === null ? '' : `${Math.round(rtt)} ms`,
    loss === null ? '' : `${loss < 10 ? loss.toFixed(1) : Math.round(loss)} % loss`,
    kbps === null ? '' : kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`,
  ].filter(Boolean).join(' · '),
  attachFile: 'Attach a file',
  dropFiles: 'Drop files to send them to the room',
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
    'turn-unavailable': 'The relay server for difficult networks could not be reached; calls through strict firewalls may fail.',
    'sfu-unavailable': 'The video server cannot be used right now. Chat keeps working; video and sound come back by themselves.',
    // Worded for people already: the core's own texts.
    'outbox-full': /* @__PURE__ */ describeError('outbox-full'),
    'feature-unavailable': /* @__PURE__ */ describeError('feature-unavailable'),
    'media-denied': /* @__PURE__ */ describeError('media-denied'),
    'media-unavailable': /* @__PURE__ */ describeError('media-unavailable'),
    'media-failed': /* @__PURE__ */ describeError('media-failed'),
    'file-too-large': 'That file is too large to send in this room.',
    'recording-unsupported': 'This browser cannot record the room. Use a current Chrome, Edge, Firefox or Safari.',
    'recording-failed': /* @__PURE__ */ describeError('recording-failed'),
  },
} satisfies Omit<MeshStrings, MediaStringKey | FileStringKey | RecordingStringKey>) as Omit<MeshStrings, MediaStringKey | FileStringKey | RecordingStringKey> as MeshStrings;

/** Built-in tables by language (the primary subtag). */
const TABLES: Record<string, MeshStrings> = { en: EN };

/** Fired on `document` when a language table is added: elements already shown render again in it. */
export const STRINGS_CHANGED = 'mesh-strings-change';

/** Adds a language table (e.g. `registerStrings('fr', FR)`); pages can ship their own. */
export function registerStrings(lang: string, table: MeshStrings): void {
  TABLES[lang.toLowerCase()] = table;
  if (typeof document !== 'undefined') document.dispatchEvent(new Event(STRINGS_CHANGED));
}

/**
 * Adds the English strings of a part loaded when used; keys English already has stay as they are.
 * Elements shown already render again, like after {@link registerStrings}.
 */
export function addEnglish(part: Partial<MeshStrings>): void {
  Object.assign(EN, { ...part, ...EN, errors: { ...part.errors, ...EN.errors } });
  if (typeof document !== 'undefined') document.dispatchEvent(new Event(STRINGS_CHANGED));
}

/** The table for a BCP 47 language tag (`de-CH` → `de`), English when there is none. */
export function stringsFor(lang: string | null | undefined): MeshStrings {
  const primary = (lang ?? '').toLowerCase().split('-')[0];
  return TABLES[primary] ?? EN;
}

/** The language an element is shown in: its nearest `lang`, across shadow roots, else the document's. */
export function langOf(el: Element): string {
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang')) return node.getAttribute('lang')!;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  return document.documentElement.lang || navigator.language || 'en';
}

/** The strings an element uses: its language's table with its own overrides on top. */
export function resolveStrings(el: Element, overrides: Partial<MeshStrings> | null | undefined): MeshStrings {
  const base = stringsFor(langOf(el));
  return overrides ? { ...base, ...overrides, errors: { ...base.errors, ...overrides.errors } } : base;
}
