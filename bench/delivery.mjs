// Room-message delivery: latency of the peer-to-peer path and of the relay path between two
// rooms in one page (one clock), and a chaos run's exactly-once accounting.
// Usage: node bench/delivery.mjs [messages]   (default 1000; the chaos run needs root for nft)
import { execFileSync } from 'node:child_process';
import { ensureLoopbackNamespace, launchChromium, percentile, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const N = Number(process.argv[2] ?? 1000);
const nft = (cmd) => execFileSync('nft', [cmd], { stdio: 'pipe' });

// Latency, not the relay's per-connection rate limit (default 50 frames/s), is measured here.
const FAST = ['--rate', '1000000', '--rate-burst', '1000000'];
let relay = await startRelay(FAST);
const port = relay.port;
const browser = await launchChromium();
const page = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
await page.goto(relay.httpUrl + '/healthz');

/** Latency of N messages from A to B, one at a time; `p2p: false` forbids the direct path. */
async function latency(p2p) {
  return page.evaluate(async ({ n, relayUrl, p2p, room }) => {
    const { Room } = await import('/dist/core.js');
    const rtcConfig = p2p ? {} : { iceTransportPolicy: 'relay', iceServers: [] };
    const a = new Room({ relay: relayUrl, room, name: 'A', rtcConfig });
    const b = new Room({ relay: relayUrl, room, name: 'B', rtcConfig });
    await a.join();
    await b.join();
    if (p2p) await new Promise((res) => { const ok = () => a.peers[0]?.state === 'connected' && b.peers[0]?.state === 'connected'; if (ok()) res(); a.addEventListener('peer-update', () => ok() && res()); b.addEventListener('peer-update', () => ok() && res()); });
    const samples = [];
    const vias = {};
    for (let i = 0; i < n; i++) {
      const got = new Promise((res) => b.addEventListener('message', (e) => res(e.detail), { once: true }));
      const t0 = performance.now();
      a.send({ i, pad: 'x'.repeat(64) });
      const m = await got;
      samples.push(performance.now() - t0);
      vias[m.via] = (vias[m.via] ?? 0) + 1;
    }
    a.close();
    b.close();
    return { samples, vias };
  }, { n: N, relayUrl: relay.wsUrl, p2p, room: `lat-${p2p}` });
}

const p2p = await latency(true);
const viaRelay = await latency(false);

// Chaos: 4 rooms in the page send 300 numbered messages each while the relay is killed and UDP
// is dropped; count what the application saw.
await page.evaluate(async (relayUrl) => {
  const { Room } = await import('/dist/core.js');
  const fast = { signaling: { backoff: { firstMs: 100, baseMs: 200, maxMs: 1000 } }, link: { disconnectedGraceMs: 200, restartTimeoutMs: 800, maxIceRestarts: 1 } };
  const rooms = ['A', 'B', 'C', 'D'].map((name) => new Room({ relay: relayUrl, room: 'chaos', name, ...fast }));
  window.chaos = { rooms, seen: rooms.map(() => new Map()), reportedLost: 0, sent: 0 };
  rooms.forEach((r, k) => {
    r.addEventListener('message', (e) => {
      if (e.detail.self) return;
      const key = e.detail.id;
      window.chaos.seen[k].set(key, (window.chaos.seen[k].get(key) ?? 0) + 1);
    });
    r.addEventListener('messages-lost', (e) => { window.chaos.reportedLost += e.detail.count; });
  });
  for (const r of rooms) await r.join();
  for (const r of rooms) {
    let i = 0;
    const next = () => {
      if (i >= 300) return;
      try { r.send({ i: ++i }); window.chaos.sent++; } catch { /* retry */ }
      setTimeout(next, Math.random() * 60);
    };
    next();
  }
}, relay.wsUrl);
nft('add table inet bench');
nft('add chain inet bench out { type filter hook output priority 0 ; }');
const faults = [];
for (let k = 0; k < 4; k++) {
  await relay.kill('SIGKILL');
  faults.push('relay');
  await new Promise((r) => setTimeout(r, 800));
  relay = await startRelay([...FAST, '--port', String(port)]);
  await new Promise((r) => setTimeout(r, 1000));
  nft('add rule inet bench out meta l4proto udp drop');
  faults.push('udp');
  await new Promise((r) => setTimeout(r, 3000));
  nft('flush chain inet bench out');
  await new Promise((r) => setTimeout(r, 1000));
}
nft('delete table inet bench');
const chaos = await page.evaluate(async () => {
  const c = window.chaos;
  const want = 3 * 300;
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && !c.seen.every((m) => m.size >= want)) await new Promise((r) => setTimeout(r, 100));
  let delivered = 0;
  let duplicates = 0;
  for (const m of c.seen) for (const count of m.values()) { delivered++; duplicates += count - 1; }
  for (const r of c.rooms) r.close();
  return { sent: c.sent, expectedDeliveries: c.sent * 3, delivered, duplicates, lost: c.sent * 3 - delivered, reportedLost: c.reportedLost };
});

await browser.close();
await relay.kill();
const dist = (xs) => ({ p50: round(percentile(xs, 50), 2), p99: round(percentile(xs, 99), 2), n: xs.length });
report('delivery', {
  goals: { p2pP50Ms: 2, chaos: 'duplicates = 0 and lost = reportedLost = 0' },
  p2pLatencyMs: { ...dist(p2p.samples), via: p2p.vias },
  relayLatencyMs: { ...dist(viaRelay.samples), via: viaRelay.vias },
  chaos: { faults, ...chaos },
});
