import { isCount, isStr } from '../protocol/guards.js';
/**
 * The file channel's wire format. Control frames are JSON text; a chunk is one binary message:
 * `[id length: u8][id: ASCII][index: u32 big-endian][bytes]`. The remote is another user's
 * browser, so every frame is validated before use.
 */
export type FileFrame =
  /** "I offer you this file." Sent again after the channel reopens until answered. */
  | { t: 'offer'; id: string; name: string; size: number; type: string; chunkSize: number }
  /** "Send from chunk `from` on" (the first accept, and every resume). */
  | { t: 'accept'; id: string; from: number }
  /** "I do not want it": declined by the user, or larger than this receiver allows. */
  | { t: 'reject'; id: string; reason: 'declined' | 'too-large' }
  /** Either side stops the transfer. */
  | { t: 'cancel'; id: string }
  /** "I hold and have hashed chunks [0, next)." */
  | { t: 'ack'; id: string; next: number }
  /** The last chunk was sent; `digest` is SHA-256 over the chunks' SHA-256 digests, hex. */
  | { t: 'end'; id: string; digest: string }
  /** The receiver verified the file (`ok`) or found a different digest. */
  | { t: 'result'; id: string; ok: boolean };

/** Transfer ids: 8–64 characters of [A-Za-z0-9_-]. */
const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Largest chunk a receiver accepts (Chromium delivers up to 256 KiB per message). */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** Returns the frame when well-formed, else null (and the caller ignores it). */
export function parseFileFrame(text: string): FileFrame | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || !isStr(v.id, 64) || !ID.test(v.id)) return null;
  const id = v.id;
  switch (v.t) {
    case 'offer':
      return isStr(v.name, 255) && v.name.length > 0 && isCount(v.size) && isStr(v.type, 255)
        && isCount(v.chunkSize) && v.chunkSize >= 1024 && v.chunkSize <= MAX_CHUNK_BYTES
        ? { t: 'offer', id, name: v.name, size: v.size, type: v.type, chunkSize: v.chunkSize } : null;
    case 'accept':
      return isCount(v.from) ? { t: 'accept', id, from: v.from } : null;
    case 'reject':
      return v.reason === 'declined' || v.reason === 'too-large' ? { t: 'reject', id, reason: v.reason } : null;
    case 'cancel':
      return { t: 'cancel', id };
    case 'ack':
      return isCount(v.next) ? { t: 'ack', id, next: v.next } : null;
    case 'end':
      return typeof v.digest === 'string' && /^[0-9a-f]{64}$/.test(v.digest) ? { t: 'end', id, digest: v.digest } : null;
    case 'result':
      return typeof v.ok === 'boolean' ? { t: 'result', id, ok: v.ok } : null;
    default:
      return null;
  }
}

/** One chunk as a binary message. */
export function encodeChunk(id: string, index: number, bytes: ArrayBuffer): ArrayBuffer {
  const out = new Uint8Array(1 + id.length + 4 + bytes.byteLength);
  out[0] = id.length;
  for (let i = 0; i < id.length; i++) out[1 + i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(1 + id.length, index);
  out.set(new Uint8Array(bytes), 5 + id.length);
  return out.buffer;
}

/** Splits a binary message into its chunk parts, or null when it is not a valid chunk. */
export function decodeChunk(buf: ArrayBuffer): { id: string; index: number; bytes: Uint8Array<ArrayBuffer> } | null {
  const view = new Uint8Array(buf);
  const len = view[0];
  if (len === undefined || len < 8 || len > 64 || buf.byteLength < 5 + len) return null;
  const id = String.fromCharCode(...view.subarray(1, 1 + len));
  if (!ID.test(id)) return null;
  const index = new DataView(buf).getUint32(1 + len);
  return { id, index, bytes: view.subarray(5 + len) };
}
