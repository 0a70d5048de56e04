// Room-message delivery, with the relay's default limits throughout:
//  - latency of durable messages on each path alone, between two rooms in one page (one clock),
//    paced at 25 messages/s (under the relay's default 50 frames/s per connection):
//      peer to peer: the relay is cut off (nft drops its TCP port) once both are in, so the data
//        channel is the only way (each message also waits in the outbox, which holds them all);
//      relay: no peer connection can form (ICE policy `relay` with no TURN server);
//  - a chaos run's exactly-once accounting: 4 rooms send 300 numbered messages each while the
//    relay is killed and UDP is dropped.
// Usage: node bench/delivery.mjs [messages]   (default 500 per path; needs root for nft)
import { benchNft, ensureLoopbackNamespace, launchChromium, percentile, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const N = Number(process.argv[2] ?? 500);
const PACE_MS = 40;

let relay = await startRelay();
const port = relay.port;
const browser = await launchChromium();
const page = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
await page.goto(relay.httpUrl + '/healthz');
const nft = benchNft();

/** Two rooms in the page, joined (and with their peer link up when `p2p`). */
async function pair(p2p, room) {
  await page.evaluate(async ({ relayUrl, p2p, room, n }) => {
    const { Room } = await import('/dist/core.js');
    const rtcConfig = p2p ? {} : { iceTransportPolicy: 'relay', iceServers: [] };
    // With the relay cut off every message waits in the outbox: it must hold all of them.
    const messages = p2p && n + 10 > 1000 ? { outbox: { maxMessages: n + 10, maxBytes: 16 * 1024 * 1024 } } : {};
    const a = new Room({ relay: relayUrl, room, name: 'A', rtcConfig, messages });
    const b = new Room({ relay: relayUrl, room, name: 'B', rtcConfig });
    await a.join();
    await b.join();
    if (p2p) await new Promise((res) => { const ok = () => a.peers[0]?.state === 'connected' && b.peers[0]?.state === 'connected'; if (ok()) res(); a.addEventListener('peer-update', () => ok() && res()); b.addEventListener('peer-update', () => ok() && res()); });
    window.pair = { a, b };
  }, { relayUrl: relay.wsUrl, p2p, room, n: N });
}

/** Latency of N durable messages from A to B, one every PACE_MS; and by which path each came. */
function latency() {
  return page.evaluate(async ({ n, pace }) => {
    const { a, b } = window.pair;
    const samples = [];
    const vias = {};
    for (let i = 0; i < n; i++) {
      const got = new Promise((res) => b.addEventListener('message', (e) => res(e.detail), { once: true }));
      const t0 = performance.now();
      a.send({ i, pad: 'x'.repeat(64) });
      const m = await got;
      samples.push(performance.now() - t0);
      vias[m.via] = (vias[m.via] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, Math.max(0, pace - (performance.now() - t0))));
    }
    a.close();
    b.close();
    return { samples, vias };
  }, { n: N, pace: PACE_MS });
}

await pair(true, 'lat-p2p');
nft.rule(`tcp dport ${port} drop`); // the relay is unreachable from here on: only the data channel is left
nft.rule(`tcp sport ${port} drop`);
const p2p = await latency();
nft.heal();
await pair(false, 'lat-relay');
const viaRelay = await latency();

// Chaos: 4 rooms in the page send 300 numbered messages each while the relay is killed and UDP
// is dropped; count what the application saw (each delivery, and how often each id came).
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
const faults = [];
for (let k = 0; k < 4; k++) {
  await relay.kill('SIGKILL');
  faults.push('relay');
  await new Promise((r) => setTimeout(r, 800));
  relay = await startRelay(['--port', String(port)]); // default limits, like the latency runs
  await new Promise((r) => setTimeout(r, 1000));
  nft.rule('meta l4proto udp drop');
  faults.push('udp');
  await new Promise((r) => setTimeout(r, 3000));
  nft.heal();
  await new Promise((r) => setTimeout(r, 1000));
}
nft.close();
const chaos = await page.evaluate(async () => {
  const c = window.chaos;
  const want = 3 * 300;
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && !c.seen.every((m) => m.size >= want)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000)); // keep counting: a late duplicate counts too
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
  pacedAtPerSecond: 1000 / PACE_MS,
  relayLimits: 'defaults (50 frames/s per connection, burst 200)',
  p2pLatencyMs: { ...dist(p2p.samples), via: p2p.vias, relayCutOff: true, liftedLimits: N + 10 > 1000 ? [`outbox raised to ${N + 10} messages (default 1000): every message waits there while the relay is cut off`] : [] },
  relayLatencyMs: { ...dist(viaRelay.samples), via: viaRelay.vias, peerConnections: 'none (ICE policy relay, no TURN)' },
  chaos: { faults, ...chaos, clientTuning: 'reconnect backoff 100 ms → 1 s (default 250 ms, then 1 s → 30 s); ICE restart after 200 ms disconnected (default 1.5 s), new connection after 1 restart (default 2)' },
});
