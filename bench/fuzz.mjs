// Fuzzing the relay process: hostile frames (malformed, truncated, oversized, type-confused,
// deeply nested, binary, __proto__/constructor keys) from several sockets while a normal room
// chats. Prints frames tried, relay crashes, messages lost and duplicated in the normal room, the
// calm room's latency under fuzzing, and the relay's memory.
// Usage: node bench/fuzz.mjs [frames] [seed]   (default 50000, seed 1)
import { register } from 'node:module';
import { WebSocket } from 'ws';
import { ensureLoopbackNamespace, percentile, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
register('../test/helpers/ts-loader-hooks.mjs', import.meta.url);
const { fuzzFrames } = await import('../test/helpers/fuzz-frames.ts');
const FRAMES = Number(process.argv[2] ?? 50_000);
const SEED = Number(process.argv[3] ?? 1);

// High limits so frames are judged, not merely rate-limited (limits have their own tests).
const LIFTED = ['--rate', '1000000', '--rate-burst', '1000000', '--connection-burst', '100000'];
const relay = await startRelay(LIFTED);
let crashes = 0;
relay.child.once('exit', (code, signal) => { if (code !== 0 && signal !== 'SIGTERM') crashes++; });

const open = () => new Promise((resolve, reject) => {
  const ws = new WebSocket(relay.wsUrl);
  ws.once('open', () => resolve(ws));
  ws.once('error', reject);
});
const id = () => Math.random().toString(36).slice(2).padEnd(20, 'x');
const join = (ws, name) => ws.send(JSON.stringify({ type: 'join', v: 1, room: 'calm', peerId: id(), key: id(), session: id(), name, baseN: 0, lastN: 0 }));

const [a, b] = [await open(), await open()];
const received = new Map();
let duplicates = 0;
b.on('message', (raw) => {
  const f = JSON.parse(raw.toString());
  if (f.type !== 'message') return;
  if (received.has(f.n)) duplicates++;
  else received.set(f.n, performance.now());
});
join(a, 'A');
join(b, 'B');
await new Promise((r) => setTimeout(r, 300));

const sockets = await Promise.all(Array.from({ length: 8 }, open));
const gens = sockets.map((_, i) => fuzzFrames(SEED * 100 + i));
const sentAt = new Map();
let sent = 0;
let chat = 0;
const t0 = performance.now();
while (sent < FRAMES && crashes === 0) {
  for (let i = 0; i < sockets.length; i++) {
    if (sockets[i].readyState !== WebSocket.OPEN) {
      sockets[i] = await open().catch(() => sockets[i]);
      continue;
    }
    const f = gens[i]();
    sockets[i].send(f.data, { binary: f.binary });
    sent++;
  }
  if (sent % 400 < sockets.length) {
    chat++;
    sentAt.set(chat, performance.now());
    a.send(JSON.stringify({ type: 'publish', n: chat, data: chat, sentAt: 0 }));
  }
  if (sent % 2000 < sockets.length) await new Promise((r) => setImmediate(r));
}
const seconds = (performance.now() - t0) / 1000;
const deadline = Date.now() + 10_000;
while (received.size < chat && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 1000)); // keep listening: a late duplicate counts too
const health = await fetch(relay.httpUrl + '/healthz').then((r) => r.status, () => 0);
const rssKiB = Number((await import('node:fs')).readFileSync(`/proc/${relay.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
const latencies = [...received].map(([n, at]) => at - sentAt.get(n));
for (const s of [...sockets, a, b]) s.terminate();
await relay.kill();
report('fuzz', {
  seed: SEED,
  framesTried: sent,
  framesPerSecond: Math.round(sent / seconds),
  crashes,
  relayHealthyAfter: health === 200,
  liftedLimits: ['per-connection frame rate (--rate, --rate-burst)', 'new connections per address (--connection-burst)'],
  liftedLimitsWhy: 'so hostile frames are parsed and judged rather than refused at the door',
  calmRoom: { sent: chat, delivered: received.size, duplicates, lost: chat - received.size, latencyMs: { p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) } },
  relayRssMiB: round(rssKiB / 1024),
});
