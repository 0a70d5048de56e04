// Many members at once, with the real SignalingClient (default tuning) in Node and the built relay
// in its own process, every client from its own loopback address (127.1.x.y), as real users are:
//  - herd: 1,000 members in rooms of 8; the relay is SIGKILLed and started again after 5 s.
//    Reported: from the relay listening again to each member `connected` (median, max), socket
//    arrivals per 100 ms (the relay's accept rate), the relay's CPU and event-loop lag while they
//    return — and the same for clients without backoff (all retry at once), measured in the same
//    run, which shows what saturation looks like;
//  - idle: 10,000 idle members; the relay's CPU and bytes written per second over 20 s with its
//    heartbeat on (default 2 s) and off, same clients, same run.
// Usage: node bench/herd.mjs [herdClients=1000] [idleMembers=10000]
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { ensureLoopbackNamespace, median, percentile, report, round, startRelay } from './lib.mjs';

const { SignalingClient } = await import('../core/signaling/signaling-client.ts');
const { Outbox } = await import('../core/delivery/outbox.ts');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rid = () => Math.random().toString(36).slice(2).padEnd(18, 'q');
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const written = (pid) => Number(/wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);

async function until(cond, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** `n` signaling clients in rooms of 8, each from its own address; `opens` records socket opens. */
function makeClients(n, url, tuning = {}) {
  const opens = [];
  const clients = [];
  for (let i = 0; i < n; i++) {
    const localAddress = `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    class LocalWs extends WebSocket {
      constructor(u) {
        super(u, { localAddress });
        this.on('open', () => opens.push(Date.now()));
      }
    }
    const room = `herd-${Math.floor(i / 8)}`;
    const identity = { room, peerId: rid(), key: rid(), session: rid(), name: `m${i}`, baseN: 0 };
    const sc = new SignalingClient({ urls: [url], identity: () => identity, outbox: new Outbox(), WebSocket: LocalWs, networkEvents: null, visibility: null, ...tuning });
    sc.connectedAt = 0;
    sc.addEventListener('state-change', (e) => { if (e.detail.to === 'connected') sc.connectedAt = Date.now(); });
    clients.push(sc);
  }
  return { clients, opens };
}

async function connectAll(clients, perTick = 200) {
  for (let i = 0; i < clients.length; i += perTick) {
    for (const c of clients.slice(i, i + perTick)) c.connect();
    await sleep(50);
  }
  await until(() => clients.every((c) => c.state === 'connected'), 120_000, `${clients.length} clients connected`);
}

/** Relay CPU % per 100 ms sample while `running()` is true. */
function sampleCpu(pid) {
  const samples = [];
  let last = cpuSeconds(pid);
  let at = Date.now();
  const timer = setInterval(() => {
    try {
      const now = cpuSeconds(pid);
      const t = Date.now();
      samples.push((100 * (now - last)) / ((t - at) / 1000));
      last = now;
      at = t;
    } catch { /* the process ended */ }
  }, 100);
  return { stop: () => { clearInterval(timer); return samples; } };
}

async function lagSeconds(relay) {
  const text = await (await fetch(`${relay.httpUrl}/metrics`)).text();
  return Number(/mesh_relay_event_loop_lag_seconds (\S+)/.exec(text)?.[1] ?? NaN);
}

/** One restart of the relay under `n` connected clients with the given client tuning. */
async function oneHerd(n, tuning, outageMs = 5000) {
  let relay = await startRelay(['--max-connections-per-address', '1000000']);
  const port = relay.port;
  const { clients, opens } = makeClients(n, relay.wsUrl, tuning);
  await connectAll(clients);
  await relay.kill('SIGKILL');
  await until(() => clients.every((c) => c.state === 'reconnecting'), 30_000, 'everyone reconnecting');
  await sleep(outageMs);
  opens.length = 0;
  relay = await startRelay(['--port', String(port), '--max-connections-per-address', '1000000']);
  const back = Date.now();
  const cpu = sampleCpu(relay.child.pid);
  await until(() => clients.every((c) => c.state === 'connected'), 120_000, 'everyone back');
  const cpuSamples = cpu.stop();
  const lag = await lagSeconds(relay);
  for (const c of clients) c.close();
  await relay.kill('SIGKILL');
  const backMs = clients.map((c) => c.connectedAt - back);
  const arrivals = opens.map((t) => t - back);
  const buckets = new Map();
  for (const a of arrivals) buckets.set(Math.floor(a / 100), (buckets.get(Math.floor(a / 100)) ?? 0) + 1);
  return {
    clients: n,
    backToConnectedMs: { median: round(median(backMs)), p90: round(percentile(backMs, 90)), max: round(Math.max(...backMs)) },
    arrivalsMs: { first: round(Math.min(...arrivals)), p10: round(percentile(arrivals, 10)), p50: round(percentile(arrivals, 50)), p90: round(percentile(arrivals, 90)), last: round(Math.max(...arrivals)) },
    socketsOpened: arrivals.length,
    peakAcceptsPer100ms: Math.max(...buckets.values()),
    peakAcceptRatePerSecond: Math.max(...buckets.values()) * 10,
    relayCpuPercent: { median: round(median(cpuSamples)), peak: round(Math.max(...cpuSamples)) },
    relayEventLoopLagP99Ms: round(lag * 1000),
  };
}

export async function herd(n = 1000) {
  const withBackoff = await oneHerd(n, {});
  // Saturation baseline: the same clients retrying with no backoff at all (every 1 ms).
  const noBackoff = await oneHerd(n, { backoff: { firstMs: 1, baseMs: 1, maxMs: 1, fastMaxMs: 1 } });
  return { outageMs: 5000, defaultBackoff: withBackoff, noBackoffBaseline: noBackoff };
}

async function idlePhase(relayArgs, members, seconds) {
  const relay = await startRelay(['--max-connections-per-address', '1000000', '--max-rooms', String(members), ...relayArgs]);
  const { clients } = makeClients(members, relay.wsUrl);
  await connectAll(clients, 500);
  await sleep(3000); // joins settle
  const pid = relay.child.pid;
  const cpu0 = cpuSeconds(pid);
  const w0 = written(pid);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const secs = (Date.now() - t0) / 1000;
  const result = {
    relayCpuPercentOfOneCore: round((100 * (cpuSeconds(pid) - cpu0)) / secs, 2),
    relayBytesWrittenPerSecond: Math.round((written(pid) - w0) / secs),
    stillConnected: clients.filter((c) => c.state === 'connected').length,
  };
  for (const c of clients) c.close();
  await relay.kill('SIGKILL');
  return result;
}

export async function idleCost(members = 10_000, seconds = 20) {
  const on = await idlePhase([], members, seconds);
  const off = await idlePhase(['--heartbeat-ms', '0'], members, seconds);
  return {
    members, seconds, heartbeatMs: 2000,
    heartbeatOn: on, heartbeatOff: off,
    heartbeatCost: { cpuPercentOfOneCore: round(on.relayCpuPercentOfOneCore - off.relayCpuPercentOfOneCore, 2), bytesPerSecond: on.relayBytesWrittenPerSecond - off.relayBytesWrittenPerSecond },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureLoopbackNamespace(import.meta.url);
  const herdN = Number(process.argv[2] ?? 1000);
  const idleN = Number(process.argv[3] ?? 10_000);
  report('herd', { goals: { heartbeatCpuPercentOfOneCore: 5, notAllIn100ms: true }, herd: await herd(herdN), idle: await idleCost(idleN) });
  process.exit(0);
}
