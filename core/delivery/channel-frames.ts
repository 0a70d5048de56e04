import { isCount, isObj } from '../protocol/guards.js';

/**
 * Frames peers exchange directly over their data channel. The remote peer is another user's
 * browser, so every frame is validated before use, like relay frames.
 */
export type ChannelFrame =
  /** A durable room message (also published to the relay). */
  | { t: 'msg'; n: number; data: unknown; sentAt: number }
  /** Best-effort app data: not stored, not repaired. */
  | { t: 'volatile'; data: unknown; sentAt: number }
  /** "Please resend your messages fromN..toN." */
  | { t: 'repair-request'; fromN: number; toN: number }
  /** Resent messages, and the ranges the sender no longer holds. */
  | { t: 'repair-reply'; messages: Array<{ n: number; data: unknown; sentAt: number }>; missing: Array<[number, number]> }
  /** What the sender is sending: microphone on, camera (or screen) on, screen share; and whether it records the room. */
  | { t: 'media'; audio: boolean; video: boolean; screen: boolean; recording: boolean; sfu: boolean }
  /** "I am connected to the relay again": a receiver still waiting to retry retries now. */
  | { t: 'relay-up' };


/** Returns the frame when well-formed, else null (and the caller ignores it). */
export function parseChannelFrame(v: unknown): ChannelFrame | null {
  if (!isObj(v)) return null;
  switch (v.t) {
    case 'msg':
      return isCount(v.n) && v.n >= 1 && v.data !== undefined && isCount(v.sentAt) ? { t: 'msg', n: v.n, data: v.data, sentAt: v.sentAt } : null;
    case 'volatile':
      return v.data !== undefined && isCount(v.sentAt) ? { t: 'volatile', data: v.data, sentAt: v.sentAt } : null;
    case 'repair-request':
      return isCount(v.fromN) && isCount(v.toN) && v.fromN >= 1 && v.toN >= v.fromN ? { t: 'repair-request', fromN: v.fromN, toN: v.toN } : null;
    case 'repair-reply': {
      if (!Array.isArray(v.messages) || !Array.isArray(v.missing) || v.messages.length > 1000 || v.missing.length > 1000) return null;
      const messages: Array<{ n: number; data: unknown; sentAt: number }> = [];
      for (const m of v.messages) {
        if (!isObj(m) || !isCount(m.n) || m.n < 1 || m.data === undefined || !isCount(m.sentAt)) return null;
        messages.push({ n: m.n, data: m.data, sentAt: m.sentAt });
      }
      const missing: Array<[number, number]> = [];
      for (const r of v.missing) {
        if (!Array.isArray(r) || r.length !== 2 || !isCount(r[0]) || !isCount(r[1]) || r[1] < r[0]) return null;
        missing.push([r[0], r[1]]);
      }
      return { t: 'repair-reply', messages, missing };
    }
    case 'media':
      return typeof v.audio === 'boolean' && typeof v.video === 'boolean' && typeof v.screen === 'boolean'
        ? { t: 'media', audio: v.audio, video: v.video, screen: v.screen, recording: v.recording === true, sfu: v.sfu === true } : null;
    case 'relay-up':
      return { t: 'relay-up' };
    default:
      return null;
  }
}
