import type { ErrorCode } from '../core/protocol.js';

/** Thrown by room operations; the connection turns it into an `error` frame. */
export class RoomError extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); }
}
