import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a room token grants: joining `room` (as `name`, when set) until `exp`. */
export interface RoomTokenClaims {
  room: string;
  /** When set, the token admits only this display name (compared like names are: ignoring case). */
  name?: string;
  /** Expiry, seconds since the Unix epoch. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: RoomTokenClaims } | { ok: false; code: 'token-invalid' | 'token-expired'; message: string };

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

/**
 * Creates a room token: `base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part))`.
 * For a site's backend: issue one per user and room, and put it in `<mesh-room token="…">`.
 *
 * @example
 * const token = createRoomToken(process.env.MESH_SECRET, { room: 'standup', name: 'Ada', ttlSeconds: 3600 });
 */
export function createRoomToken(secret: string, o: { room: string; name?: string; ttlSeconds: number; now?: number }): string {
  if (!secret) throw new TypeError('createRoomToken needs the relay secret');
  if (!(o.ttlSeconds > 0)) throw new TypeError('ttlSeconds must be positive');
  const claims: RoomTokenClaims = { room: o.room, exp: Math.floor((o.now ?? Date.now()) / 1000) + Math.floor(o.ttlSeconds) };
  if (o.name !== undefined) claims.name = o.name;
  const body = b64(JSON.stringify(claims));
  return `${body}.${b64(sign(secret, body))}`;
}

/**
 * Checks a token for a join of `room` as `name` (names compared through `nameKey`), or only for
 * the room with `ignoreName`. Never throws.
 */
export function verifyRoomToken(secret: string, token: string | undefined, room: string, nameKey: (n: string) => string, name: string, now = Date.now(), o: { ignoreName?: boolean } = {}): TokenCheck {
  if (!token) return { ok: false, code: 'token-invalid', message: 'this room needs a token; ask the site for one' };
  const dot = token.indexOf('.');
  if (dot < 1 || dot !== token.lastIndexOf('.')) return { ok: false, code: 'token-invalid', message: 'the token is malformed' };
  const body = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  // Node decodes base64 leniently (padding, stray characters): only the canonical form counts.
  const given = Buffer.from(sig, 'base64url');
  if (given.toString('base64url') !== sig) return { ok: false, code: 'token-invalid', message: 'the token signature is malformed' };
  const expected = sign(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'token-invalid', message: 'the token signature does not match' };
  let claims: RoomTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as RoomTokenClaims;
  } catch {
    return { ok: false, code: 'token-invalid', message: 'the token is malformed' };
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.room !== 'string' || !Number.isFinite(claims.exp)) {
    return { ok: false, code: 'token-invalid', message: 'the token is malformed' };
  }
  if (claims.room !== room) return { ok: false, code: 'token-invalid', message: 'the token is for another room' };
  if (!o.ignoreName && claims.name !== undefined && (typeof claims.name !== 'string' || nameKey(claims.name) !== nameKey(name))) {
    return { ok: false, code: 'token-invalid', message: 'the token is for another name' };
  }
  if (claims.exp * 1000 <= now) return { ok: false, code: 'token-expired', message: 'the token has expired; get a new one from the site' };
  return { ok: true, claims };
}
