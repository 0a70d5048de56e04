// Relay fan-out against a raw `ws` broadcast server, same harness, same run, same write batching
// (bench/raw-ws-server.mjs corks like the relay does). 100 rooms × 8 clients; every publish goes
// to the 7 others. At fixed offered loads (deliveries per second) it reports delivery latency
// p50/p99, deliveries actually made, server CPU µs per delivery (from /proc and the deliveries
// counted), and whether the load generator itself was the bottleneck — then no ratio is given.
// Servers alternate order over several rounds; figures are medians over rounds. Then: 10 stalled
// readers in busy rooms (others' p99 must not change), and idle RSS per connection vs raw.
//
// Usage: node bench/relay.mjs [--quick] [--stalled-only] [--stall-rounds 3] [--stall-load 14000]    RELAY_MAIN=path/to/main.js measures another build;
// RELAY_MAIN_BEFORE=path/to/old/main.js adds that build as a third server in the same rotation
// (before/after figures from one run, under the same conditions).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ensureLoopbackNamespace, median, percentile, report, round } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const QUICK = process.argv.includes('--quick');
const ROOMS = 100;
const PER_ROOM = 8;
const LOADS = QUICK ? [14_000, 56_000] : [14_000, 28_000, 56_000, 84_000];
const ROUNDS = QUICK ? 1 : 3;
const WINDOW_S = QUICK ? 3 : 5;
const IDLE = QUICK ? 2000 : 10_000;
const STALLED = 10;
/** The value after `--name` on the command line, as a number, or `dflt` when absent. */
const numberArg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const STALL_LOAD = numberArg('stall-load', 14_000);
/** Rounds of the stalled-readers case (each: without, then with them; one more without at the end). */
const STALL_ROUNDS = numberArg('stall-rounds', QUICK ? 1 : 3);
const MAIN = process.env.RELAY_MAIN ?? fileURLToPath(new URL('../dist/relay/main.js', import.meta.url));
const BEFORE = process.env.RELAY_MAIN_BEFORE ?? null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rid = () => Math.random().toString(36).slice(2).padEnd(18, 'q');
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

/** Medians over the alternating phases of {@link stalledCase}, and each phase's p99. */
function stallFigures(x) {
  // A phase with more than 0.1 % undelivered has no p99: it is counted, not hidden.
  const p = (runs, f) => median(runs.map(f).filter((v) => v !== null && v !== undefined));
  return {
    p99MsWithout: p(x.without, (r) => r.latencyMs.p99), p99MsWith: p(x.withStalled, (r) => r.latencyMs.p99),
    p50MsWithout: p(x.without, (r) => r.latencyMs.p50), p50MsWith: p(x.withStalled, (r) => r.latencyMs.p50),
    p99MsEachWithout: x.without.map((r) => r.latencyMs.p99), p99MsEachWith: x.withStalled.map((r) => r.latencyMs.p99),
    phasesWithoutP99: [...x.without, ...x.withStalled].filter((r) => r.latencyMs.p99 === null).length,
    undeliveredShareWith: Math.max(...x.withStalled.map((r) => r.undeliveredShare)), closedBySlowLimit: x.stalledClosedBySlowLimit,
    generatorBound: [...x.without, ...x.withStalled].some((r) => r.generatorBound),
    relay: x.diag,
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

async function spawnServer(cmd, args, pattern) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${out}`)), 15_000);
    const on = (c) => { out += c; const m = pattern.exec(out); if (m) { clearTimeout(timer); resolve(Number(m[1])); } };
    child.stdout.on('data', on);
    child.stderr.on('data', (c) => { out += c; });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return { port, pid: child.pid, kill: () => new Promise((r) => { child.once('exit', r); child.kill('SIGKILL'); }) };
}

const helpOf = (main) => spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' }).stdout;
const HELP = { [MAIN]: helpOf(MAIN), ...(BEFORE ? { [BEFORE]: helpOf(BEFORE) } : {}) };
const relayFlags = (help, extra = []) => [
  '--host', '127.0.0.1', '--port', '0', '--log-level', 'error', '--max-members', String(PER_ROOM + 1),
  '--rate', '1000000', '--rate-burst', '1000000', '--connection-rate', '1000000', '--connection-burst', '1000000',
  ...(help.includes('--max-connections-per-address') ? ['--max-connections-per-address', '1000000'] : []), ...extra,
];

async function startServer(kind, extra = (help) => []) {
  const main = kind === 'before' ? BEFORE : MAIN;
  if (kind === 'before') kind = 'memory';
  if (kind === 'raw') {
    const s = await spawnServer(process.execPath, [fileURLToPath(new URL('./raw-ws-server.mjs', import.meta.url))], /listening on (\d+)/);
    return { ...s, url: (room) => `ws://127.0.0.1:${s.port}/?room=${room}` };
  }
  let redis = null;
  const args = relayFlags(HELP[main], extra(HELP[main]));
  if (kind === 'redis') {
    const port = 16379 + Math.floor(Math.random() * 1000);
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
    args.push('--redis', `redis://127.0.0.1:${port}`);
  }
  const s = await spawnServer(process.execPath, [main, ...args], /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return { ...s, url: () => `ws://127.0.0.1:${s.port}/ws`, kill: async () => { await s.kill(); redis?.kill('SIGKILL'); } };
}

// ---------------------------------------------------------------------------------------------
// Clients

const open = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.once('open', () => resolve(ws));
  ws.once('error', reject);
});

/** A member: counts deliveries (frames carrying "t") and their latency while measuring. */
async function member(kind, server, room, name, { stalled = false } = {}) {
  const ws = await open(server.url(room));
  const c = { ws, n: 0, latencies: null, delivered: 0 };
  if (kind !== 'raw') {
    const synced = new Promise((resolve) => {
      const on = (raw) => { if (raw.toString().includes('"type":"synced"')) { ws.off('message', on); resolve(); } };
      ws.on('message', on);
    });
    if (stalled) ws._socket.pause();
    ws.send(JSON.stringify({ type: 'join', v: 1, room, peerId: rid(), key: rid(), session: rid(), name, baseN: 0, lastN: 0 }));
    if (!stalled) await synced;
  }
  ws.on('message', (raw) => {
    const s = raw.toString();
    const at = s.indexOf('"t":');
    if (at < 0 || !c.latencies) return;
    c.delivered++;
    c.latencies.push(performance.now() - Number(s.slice(at + 4, s.indexOf('}', at))));
  });
  c.send = (data = `{"t":${performance.now()}}`) => ws.send(kind === 'raw' ? `{"type":"publish","data":${data}}` : `{"type":"publish","n":${++c.n},"sentAt":0,"data":${data}}`);
  return c;
}

async function roomsOf(kind, server) {
  const rooms = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = [];
    for (let k = 0; k < PER_ROOM; k++) room.push(await member(kind, server, `bench-${r}`, `c${k}`));
    rooms.push(room);
  }
  return rooms;
}

/**
 * Offers `rate` deliveries per second for WINDOW_S seconds: publishes round-robin over rooms and
 * senders on a 2 ms schedule. Latency is measured on messages sent inside the window.
 */
async function measureLoad(rooms, server, rate, readers = rooms.flat()) {
  const publishesPerSecond = rate / (PER_ROOM - 1);
  const senders = rooms.flatMap((room) => room.filter((c) => !c.stalled));
  for (const c of readers) { c.latencies = []; c.delivered = 0; }
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = cpuSeconds(server.pid);
  const gen0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= WINDOW_S) { clearInterval(tick); return resolve(); }
      const due = Math.floor(elapsed * publishesPerSecond);
      for (; sent < due; sent++) senders[(next++ * 7919) % senders.length].send();
    }, 2);
  });
  const wall = (performance.now() - t0) / 1000;
  const gen = process.cpuUsage(gen0);
  lag.disable();
  const expected = sent * (PER_ROOM - 1); // each publish reaches the 7 other readers of its room
  const deadline = Date.now() + 5000;
  const got = () => readers.reduce((s, c) => s + c.delivered, 0);
  while (got() < expected * 0.999 && Date.now() < deadline) await sleep(20);
  const serverCpu = cpuSeconds(server.pid) - cpu0;
  const delivered = got();
  const lat = readers.flatMap((c) => c.latencies);
  for (const c of readers) c.latencies = null;
  const generatorCpu = (gen.user + gen.system) / 1e6 / wall;
  const undelivered = Math.max(0, expected - delivered);
  const generatorBound = generatorCpu > 0.85 || sent < publishesPerSecond * WINDOW_S * 0.97 || lag.percentile(99) / 1e6 > 20;
  return {
    offeredPerSecond: rate,
    sentPerSecond: Math.round((sent * (PER_ROOM - 1)) / wall),
    deliveredPerSecond: Math.round(delivered / wall),
    undeliveredShare: round(undelivered / Math.max(1, expected), 4),
    latencyMs: { p50: round(percentile(lat, 50), 2), p99: undelivered > expected * 0.001 ? null : round(percentile(lat, 99), 2) },
    serverCpuUsPerDelivery: round((serverCpu * 1e6) / Math.max(1, delivered), 2),
    generatorCpu: round(generatorCpu, 2),
    generatorLagP99Ms: round(lag.percentile(99) / 1e6, 1),
    generatorBound,
  };
}

function closeAll(rooms) { for (const c of rooms.flat()) c.ws.terminate(); }

async function loadRound(kind, loads) {
  const server = await startServer(kind);
  const rooms = await roomsOf(kind === 'before' ? 'memory' : kind, server);
  await measureLoad(rooms, server, 14_000); // warm-up
  const out = {};
  for (const rate of loads) out[rate] = await measureLoad(rooms, server, rate);
  closeAll(rooms);
  await server.kill();
  return out;
}

/**
 * The others' latency at STALL_LOAD deliveries/s (a load where the generator is not the
 * bottleneck here), with 10 stalled readers joined to rooms with 4 MiB of history and without
 * them, alternating (without, with, without, …, without): the history is there in every phase, so
 * the two sides differ only by the stalled readers, and an order effect shows up on both sides.
 */
async function stalledCase(kind = 'memory') {
  const server = await startServer(kind, (help) => ['--replay-bytes', String(4 * 2 ** 20), '--replay-messages', '200',
    ...(help.includes('--max-socket-buffer-bytes') ? ['--max-socket-buffer-bytes', String(8 * 2 ** 20)] : [])]);
  const rooms = await roomsOf('memory', server);
  await measureLoad(rooms, server, 14_000);
  const big = `{"pad":"${'x'.repeat(30_000)}"}`;
  for (let r = 0; r < STALLED; r++) for (let i = 0; i < 140; i++) rooms[r][0].send(big); // 4 MiB of history each
  await sleep(3000);
  const diag = [];
  let closed = 0;
  const metrics = () => fetch(`http://127.0.0.1:${server.port}/metrics`).then((r) => r.text()).catch(() => '');
  const joins = async () => Number(/^mesh_relay_joins_total (\d+)/m.exec(await metrics())?.[1] ?? NaN);
  const look = async (phase) => {
    const m = await metrics();
    closed = Number(/^mesh_relay_slow_clients_total (\d+)/m.exec(m)?.[1] ?? NaN);
    diag.push({ phase, rssMiB: round(rss(server.pid), 1), loopLagP99Ms: round(1000 * Number(/^mesh_relay_event_loop_lag_seconds ([\d.e-]+)/m.exec(m)?.[1] ?? NaN), 1) });
  };
  const without = [];
  const withStalled = [];
  for (let k = 0; k < STALL_ROUNDS; k++) {
    without.push(await measureLoad(rooms, server, STALL_LOAD));
    await look('without');
    const stalled = [];
    const joined = await joins();
    for (let r = 0; r < STALLED; r++) {
      // One name in every round: it takes over the last round's stalled member, still in its grace
      // period (a new name would be refused: the room is full).
      const s = await member('memory', server, `bench-${r}`, 'stalled', { stalled: true });
      s.stalled = true;
      rooms[r].push(s);
      stalled.push(s);
    }
    await sleep(500);
    if ((await joins()) - joined !== STALLED) throw new Error(`round ${k}: the relay admitted ${(await joins()) - joined} of ${STALLED} stalled readers`);
    withStalled.push(await measureLoad(rooms, server, STALL_LOAD, rooms.flat().filter((c) => !c.stalled)));
    await look('with');
    for (const s of stalled) s.ws.terminate();
    for (let r = 0; r < STALLED; r++) rooms[r].pop();
    await sleep(500);
  }
  without.push(await measureLoad(rooms, server, STALL_LOAD));
  await look('without');
  closeAll(rooms);
  await server.kill();
  return { without, withStalled, diag, stalledClosedBySlowLimit: closed };
}

/** RSS per idle connection: members joined in rooms of 8 doing nothing, vs raw clients. */
async function idleRss(kind) {
  const server = await startServer(kind);
  await sleep(300);
  const before = rss(server.pid);
  const clients = [];
  for (let i = 0; i < IDLE; i++) clients.push(await member(kind === 'before' ? 'memory' : kind, server, `idle-${Math.floor(i / PER_ROOM)}`, `i${i % PER_ROOM}`));
  await sleep(1000);
  const after = rss(server.pid);
  for (const c of clients) c.ws.terminate();
  await server.kill();
  return round(((after - before) * 1024) / IDLE, 2);
}

// ---------------------------------------------------------------------------------------------

if (process.argv.includes('--stalled-only')) { // the stalled-readers case alone, for working on it
  const out = { current: stallFigures(await stalledCase()) };
  if (BEFORE) out.before = stallFigures(await stalledCase('before'));
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  process.exit(0);
}

const KINDS = { rawWs: 'raw', memory: 'memory', ...(BEFORE ? { memoryBefore: 'before' } : {}) };
const names = Object.keys(KINDS);
const rounds = Object.fromEntries(names.map((k) => [k, []]));
for (let i = 0; i < ROUNDS; i++) {
  const order = names.map((_, j) => names[(i + j) % names.length]); // each server goes first once
  for (const k of order) rounds[k].push(await loadRound(KINDS[k], LOADS));
}
const redisRound = await loadRound('redis', [14_000, 56_000]);

const med = (runs, rate, f) => median(runs.map((r) => f(r[rate])).filter((x) => x !== null && x !== undefined));
const byLoad = {};
for (const rate of LOADS) {
  const row = {};
  for (const k of names) {
    const runs = rounds[k];
    row[k] = {
      p50Ms: med(runs, rate, (x) => x.latencyMs.p50), p99Ms: med(runs, rate, (x) => x.latencyMs.p99),
      deliveredPerSecond: med(runs, rate, (x) => x.deliveredPerSecond), undeliveredShare: med(runs, rate, (x) => x.undeliveredShare),
      serverCpuUsPerDelivery: med(runs, rate, (x) => x.serverCpuUsPerDelivery), generatorCpu: med(runs, rate, (x) => x.generatorCpu),
      generatorBound: runs.some((r) => r[rate].generatorBound),
    };
  }
  // A ratio only where neither the raw run nor this server's run had the generator as bottleneck.
  const ratio = (k, f) => (row.rawWs.generatorBound || row[k].generatorBound || !f(row.rawWs) || f(row[k]) === null ? null : round(f(row[k]) / f(row.rawWs), 2));
  row.memoryP99VsRaw = ratio('memory', (x) => x.p99Ms);
  row.memoryCpuVsRaw = ratio('memory', (x) => x.serverCpuUsPerDelivery);
  if (BEFORE) {
    row.memoryBeforeP99VsRaw = ratio('memoryBefore', (x) => x.p99Ms);
    row.memoryBeforeCpuVsRaw = ratio('memoryBefore', (x) => x.serverCpuUsPerDelivery);
  }
  if (row.memoryP99VsRaw === null) row.note = 'the load generator was the bottleneck here (CPU > 85 %, behind schedule or lagging > 20 ms): no ratio';
  byLoad[rate] = row;
}
const stall = await stalledCase();
const stallBefore = BEFORE ? await stalledCase('before') : null;
const idle = { connections: IDLE, rawWsKiBPerConnection: await idleRss('raw'), memoryKiBPerConnection: await idleRss('memory') };
idle.memoryVsRaw = round(idle.memoryKiBPerConnection / idle.rawWsKiBPerConnection, 2);
if (BEFORE) {
  idle.memoryBeforeKiBPerConnection = await idleRss('before');
  idle.memoryBeforeVsRaw = round(idle.memoryBeforeKiBPerConnection / idle.rawWsKiBPerConnection, 2);
}
report('relay', {
  relay: MAIN,
  ...(BEFORE ? { relayBefore: BEFORE } : {}),
  load: { rooms: ROOMS, clientsPerRoom: PER_ROOM, rounds: ROUNDS, windowSeconds: WINDOW_S, loadsOffered: LOADS },
  goals: { p99VsRawAt56k: '<= 2 (measurable only where the generator is not the bottleneck)', idleRssVsRaw: '<= 1.5', stalledReaders: 'others\' p99 unchanged' },
  byOfferedDeliveriesPerSecond: byLoad,
  redis: redisRound,
  stalledReaders: { rooms: STALLED, offeredPerSecond: STALL_LOAD, ...stallFigures(stall), ...(stallBefore ? { before: stallFigures(stallBefore) } : {}) },
  idle,
});
