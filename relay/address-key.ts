import { isIPv6 } from 'node:net';

/**
 * The key per-address limits count under: an IPv4 address as is, an IPv6 address by its /64
 * network (one subscriber usually holds a whole /64, so counting single addresses would give
 * an attacker 2^64 fresh buckets). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!isIPv6(a)) return a;
  const [head, tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}
