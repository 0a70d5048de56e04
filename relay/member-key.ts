import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A member's secret key as the relay keeps it: a SHA-256 digest (base64url). The key itself is
 * never stored (not in memory beyond the join, not in Redis, not in logs).
 */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** True when `key` hashes to `digest`; compares in constant time. */
export function keyMatches(digest: string, key: string): boolean {
  const a = Buffer.from(digest, 'base64url');
  const b = createHash('sha256').update(key).digest();
  return a.length === b.length && timingSafeEqual(a, b);
}
