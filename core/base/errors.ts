import type { ErrorCode } from '../protocol.js';

/**
 * Codes raised by the client itself (the relay's codes are in `protocol.ts`), with the text a
 * `MeshError` carries when it is made without one. Texts worded for people, not only developers,
 * are the elements' English too.
 */
export const CLIENT_ERROR_CODES = {
  'signaling-failed': 'The relay could not be reached after every retry. Check the relay URL and your network, then join again.',
  'replaced': 'Another connection took over this identity.',
  'outbox-full': 'Too many messages are waiting for the server. Wait a moment and try again.',
  'closed': 'The room was closed; create a new one to join again.',
  'not-connected': 'Join the room before sending.',
  'invalid-option': 'An option passed to the room is invalid.',
  'illegal-transition': 'An object moved to a state its transition table forbids (a bug).',
  'media-denied': 'Camera and microphone are blocked for this page. Allow them in the browser\'s site settings to be seen and heard; chat works meanwhile.',
  'media-unavailable': 'No camera or microphone was found. You can still chat and watch.',
  'media-failed': 'The camera or microphone could not be started (another app may be using it). You can still chat.',
  'relay-protocol': 'The relay sent something this client does not understand.',
  'file-too-large': 'The file is larger than this room allows. Send a smaller file or raise maxFileBytes.',
  'file-rejected': 'The receiver declined the file.',
  'file-cancelled': 'The file transfer was cancelled.',
  'file-hash-mismatch': 'The file arrived with a different SHA-256 digest and was discarded. Send it again.',
  'file-interrupted': 'The other side left the room before the file arrived. Send it again when they are back.',
  'recording-unsupported': 'This browser cannot record the room (MediaRecorder or canvas capture is missing). Use a current Chrome, Edge, Firefox or Safari.',
  'recording-failed': 'The recording stopped because of an error. Start it again; if it keeps failing, reload the page.',
  'turn-unavailable': 'TURN credentials could not be fetched; peers connect directly or through STUN only.',
  'feature-unavailable': 'Part of this room could not be loaded. Check your connection and reload the page.',
} as const;

export type MeshErrorCode = ErrorCode | keyof typeof CLIENT_ERROR_CODES;

/**
 * Default human text for a client code. (Relay codes come with the relay's own message; the
 * descriptions of those live in `ERROR_CODES` of the protocol, on the relay side.)
 */
export function describeError(code: MeshErrorCode): string {
  return (CLIENT_ERROR_CODES as Record<string, string>)[code] ?? code;
}

/**
 * The one error type mesh-room throws and emits. Callers and tests branch on `code`, never on
 * the message text.
 */
export class MeshError extends Error {
  override readonly name = 'MeshError';
  constructor(readonly code: MeshErrorCode, message: string = describeError(code), options?: { cause?: unknown }) {
    super(message, options);
  }
}
