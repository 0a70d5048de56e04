// Relay fan-out, measured the same way for three servers in one run:
//   raw ws  — bench/raw-ws-server.mjs, a broadcast-only server (the ceiling);
//   memory  — the relay, rooms in its process (the default);
//   redis   — the relay with --redis (rooms in a local redis-server).
// Load: 100 rooms × 8 clients. Throughput: every client publishes its share of messages as fast
// as the server takes them; messages delivered per second (each publish reaches 7 others).
// Latency: a steady 20 messages/s per room; delivery time p50/p99. Then: idle connections one
// relay node holds, and its RSS. Usage: node bench/relay.mjs [rooms] [idle connections]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { ensureLoopbackNamespace, percentile, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const ROOMS = Number(process.argv[2] ?? 100);
const IDLE = Number(process.argv[3] ?? 5000);
const PER_ROOM = 8;
const BURST = 60; // messages per client in the throughput phase
const open = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.once('open', () => resolve(ws));
  ws.once('error', reject);
});
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
};
const rid = () => Math.random().toString(36).slice(2).padEnd(18, 'q');

/** A client speaking either the relay protocol or the raw broadcast. */
async function client(kind, base, room, name) {
  const ws = await open(kind === 'raw' ? `${base}?room=${room}` : base);
  const c = { ws, n: 0, delivered: 0, latencies: null };
  ws.on('message', (raw) => {
    const s = raw.toString();
    // Fast path: only deliveries carry a "t".
    const at = s.indexOf('"t":');
    if (at < 0) return;
    c.delivered++;
    if (c.latencies) c.latencies.push(performance.now() - Number(s.slice(at + 4, s.indexOf('}', at))));
  });
  if (kind !== 'raw') {
    await new Promise((resolve) => {
      const onSync = (raw) => { if (raw.toString().includes('"type":"synced"')) { ws.off('message', onSync); resolve(); } };
      ws.on('message', onSync);
      ws.send(JSON.stringify({ type: 'join', v: 1, room, peerId: rid(), key: rid(), session: rid(), name, baseN: 0, lastN: 0 }));
    });
  }
  c.send = kind === 'raw'
    ? () => ws.send(`{"type":"publish","data":{"t":${performance.now()}}}`)
    : () => ws.send(`{"type":"publish","n":${++c.n},"sentAt":0,"data":{"t":${performance.now()}}}`);
  return c;
}

async function measure(kind, base, pid) {
  const clients = [];
  for (let r = 0; r < ROOMS; r++) for (let k = 0; k < PER_ROOM; k++) clients.push(await client(kind, base, `bench-${r}`, `c${k}`));
  const total = () => clients.reduce((s, c) => s + c.delivered, 0);
  const waitFor = async (target, ms) => { const end = Date.now() + ms; while (total() < target && Date.now() < end) await new Promise((r) => setTimeout(r, 5)); };

  // Throughput: everyone sends BURST messages, in slices so the event loop can read too.
  const expect = clients.length * BURST * (PER_ROOM - 1);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let i = 0; i < BURST; i++) {
    for (const c of clients) c.send();
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(expect, 60_000);
  const seconds = (performance.now() - t0) / 1000;
  const throughput = total() / seconds;
  const serverCpu = cpuSeconds(pid) - cpu0;

  // Latency at a steady load: one message per room every 50 ms (20/s per room).
  const base0 = total();
  for (const c of clients) c.latencies = [];
  const rounds = 60;
  for (let i = 0; i < rounds; i++) {
    for (let r = 0; r < ROOMS; r++) clients[r * PER_ROOM + (i % PER_ROOM)].send();
    await new Promise((res) => setTimeout(res, 50));
  }
  await waitFor(base0 + rounds * ROOMS * (PER_ROOM - 1), 10_000);
  const lat = clients.flatMap((c) => c.latencies);
  for (const c of clients) c.ws.terminate();
  return {
    deliveredPerSecond: Math.round(throughput),
    /** Deliveries per second of server CPU: what one core of the server can push. */
    deliveredPerServerCpuSecond: Math.round(expect / serverCpu),
    latencyMs: { p50: round(percentile(lat, 50), 2), p99: round(percentile(lat, 99), 2), samples: lat.length },
  };
}

// The three servers.
const raw = spawn(process.execPath, [new URL('./raw-ws-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const rawPort = await new Promise((resolve) => raw.stdout.on('data', (c) => { const m = /listening on (\d+)/.exec(c.toString()); if (m) resolve(Number(m[1])); }));
const fast = ['--rate', '1000000', '--rate-burst', '1000000', '--connection-rate', '100000', '--connection-burst', '100000'];
const results = {};
results.rawWs = await measure('raw', `ws://127.0.0.1:${rawPort}/`, raw.pid);
raw.kill();

let relay = await startRelay(fast);
results.memory = await measure('relay', relay.wsUrl, relay.child.pid);
await relay.kill();
// Idle connections: IDLE sockets joined in rooms of 8, doing nothing, on a fresh relay (after the
// load test, freed heap hides the growth and the figure can even come out negative).
relay = await startRelay(fast);
const before = rss(relay.child.pid);
const idle = [];
for (let i = 0; i < IDLE; i++) idle.push(await client('relay', relay.wsUrl, `idle-${Math.floor(i / PER_ROOM)}`, `i${i % PER_ROOM}`));
const idleRss = rss(relay.child.pid);
for (const c of idle) c.ws.terminate();
await relay.kill();

const redisPort = 16379 + Math.floor(Math.random() * 1000);
const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 300));
relay = await startRelay([...fast, '--redis', `redis://127.0.0.1:${redisPort}`]);
results.redis = await measure('relay', relay.wsUrl, relay.child.pid);
await relay.kill();
redis.kill();

report('relay', {
  load: { rooms: ROOMS, clientsPerRoom: PER_ROOM, messagesPerClient: BURST },
  goal: 'memory mode delivers >= 80 % of the raw ws broadcast server',
  note: 'on 2 cores the one load-generating process saturates first, so deliveredPerSecond is partly the client; deliveredPerServerCpuSecond is the server alone',
  deliveredPerSecond: { rawWs: results.rawWs.deliveredPerSecond, memory: results.memory.deliveredPerSecond, redis: results.redis.deliveredPerSecond },
  memoryVsRawWs: round(results.memory.deliveredPerSecond / results.rawWs.deliveredPerSecond, 2),
  deliveredPerServerCpuSecond: { rawWs: results.rawWs.deliveredPerServerCpuSecond, memory: results.memory.deliveredPerServerCpuSecond, redis: results.redis.deliveredPerServerCpuSecond },
  memoryVsRawWsPerCpu: round(results.memory.deliveredPerServerCpuSecond / results.rawWs.deliveredPerServerCpuSecond, 2),
  latencyAt20MsgPerSecPerRoomMs: { rawWs: results.rawWs.latencyMs, memory: results.memory.latencyMs, redis: results.redis.latencyMs },
  idle: { connections: IDLE, relayRssMiB: round(idleRss), rssBeforeMiB: round(before), perConnectionKiB: round(((idleRss - before) * 1024) / IDLE) },
});
