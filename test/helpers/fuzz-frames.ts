/**
 * A seeded generator of hostile relay frames: malformed and truncated JSON, wrong types in every
 * field, oversized payloads, deep nesting, prototype-pollution keys, odd numbers and Unicode, and
 * mutations of valid frames. Deterministic for a seed, so a failure can be replayed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['join', 'leave', 'signal', 'publish', 'ping', 'welcome', 'error', '', 'JOIN', 'constructor', '__proto__', 'toString'];
/**
 * Objects whose own keys are `__proto__` / `constructor` (made by JSON.parse: an object literal's
 * `__proto__` would set the prototype instead, and JSON.stringify would drop it).
 */
const POLLUTERS: unknown[] = [
  JSON.parse('{"__proto__":{"polluted":1,"isAdmin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":1}}}'),
  JSON.parse('{"x":{"__proto__":{"isAdmin":true}}}'),
];
const WEIRD: unknown[] = [null, true, false, 0, -1, 1e309, -0, 2 ** 53 + 1, '', ' ', '\u0000', '\u202e', '💥'.repeat(50), [], {}, [[[]]], ...POLLUTERS, '__proto__', 'constructor', 'NaN', 'x'.repeat(70)];

export interface FuzzFrame { data: string | Uint8Array; binary: boolean }

export function fuzzFrames(seed: number): () => FuzzFrame {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const id = () => (rnd() < 0.7 ? 'a'.repeat(16 + Math.floor(rnd() * 10)) : (pick(WEIRD) as string));
  const valid = (): Record<string, unknown> => {
    switch (pick(['join', 'signal', 'publish', 'leave', 'ping'])) {
      case 'join': return { type: 'join', v: 1, room: 'fuzz', peerId: id(), key: id(), session: id(), name: 'F' + Math.floor(rnd() * 1e6), baseN: 0, lastN: 0 };
      case 'signal': return { type: 'signal', to: id(), toSession: id(), data: { kind: pick(['description', 'candidate', 'repair-request', 'repair-reply', 'x']), gen: 0, description: { type: 'offer', sdp: 'v=0' }, candidate: { candidate: '' } } };
      case 'publish': return { type: 'publish', n: Math.floor(rnd() * 5), data: pick(WEIRD), sentAt: 0 };
      case 'leave': return { type: 'leave', session: id() };
      default: return { type: 'ping', t: rnd() };
    }
  };
  return () => {
    const r = rnd();
    if (r < 0.05) return { data: crypto.getRandomValues(new Uint8Array(1 + Math.floor(rnd() * 64))), binary: true };
    if (r < 0.15) { // truncated or malformed JSON
      const s = JSON.stringify(valid());
      return { data: s.slice(0, Math.floor(rnd() * s.length)) + pick(['', '}', ']', '"', '\\', '\u0000']), binary: false };
    }
    if (r < 0.2) return { data: '['.repeat(2000 + Math.floor(rnd() * 20000)) + ']'.repeat(10), binary: false }; // deep nesting
    if (r < 0.25) return { data: JSON.stringify({ type: 'publish', n: 1, data: 'x'.repeat(30_000 + Math.floor(rnd() * 100_000)), sentAt: 0 }), binary: false }; // oversized
    if (r < 0.3) return { data: JSON.stringify(pick(WEIRD)), binary: false };
    const f = valid();
    // Type confusion: replace some fields with weird values, add or remove keys.
    for (const k of Object.keys(f)) if (rnd() < 0.3) f[k] = pick(WEIRD);
    if (rnd() < 0.2) f.type = pick(TYPES);
    if (rnd() < 0.1) delete f[pick(Object.keys(f))];
    // An own "__proto__" key (plain assignment would set f's prototype and never be sent).
    if (rnd() < 0.1) Object.defineProperty(f, '__proto__', { value: { isAdmin: true, polluted: 1 }, enumerable: true, writable: true, configurable: true });
    if (rnd() < 0.05) f['constructor'] = { prototype: { polluted: 1 } } as never;
    return { data: JSON.stringify(f), binary: false };
  };
}
