// What a person feels during an outage, per member (max, not only median), with default client
// and relay settings, for 4 and 8 members (core Rooms in one Chromium page, real peer links):
//  - relay down L s (SIGKILL, started again on the same port after L s): kill → each member
//    `reconnecting`, and relay listening again → each member `connected`;
//  - relay black-holed (nft drops its port both ways; sockets stay open): fault → each member
//    `reconnecting`, heal → each member `connected`;
//  - all UDP dropped (every peer link dead): fault → each link `reconnecting`, heal → every link
//    `connected` and → the first peer-to-peer message;
//  - then bench/herd.mjs: 1,000 members returning after a relay restart, and the heartbeat's
//    cost at 10,000 idle members.
// Usage: node bench/outage.mjs [--cycles 10] [--long-cycles 10] [--cycles-60 10] [--sizes 4,8]
//        [--outages 2,5,10,20,60] [--fault-cycles 10] [--herd 1000] [--idle 10000] [--no-herd]
// (`--long-cycles` applies to outages of 20 s and more, `--cycles-60` to 60 s and more; needs root
// for nft. The defaults are the issue's ≥ 10 cycles of everything: about 45 minutes.)
import { benchNft, ensureLoopbackNamespace, launchChromium, median, report, round, startRelay } from './lib.mjs';
import { herd, idleCost } from './herd.mjs';
import { outageRows } from './outage-rows.mjs';

ensureLoopbackNamespace(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const CYCLES = Number(arg('cycles', 10));
const LONG_CYCLES = Number(arg('long-cycles', 10));
const CYCLES_60 = Number(arg('cycles-60', LONG_CYCLES));
const FAULT_CYCLES = Number(arg('fault-cycles', 10));
const SIZES = arg('sizes', '4,8').split(',').map(Number);
const OUTAGES = arg('outages', '2,5,10,20,60').split(',').map(Number);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const summary = (xs) => ({ median: round(median(xs)), max: round(Math.max(...xs)), min: round(Math.min(...xs)), n: xs.length });

let relay = await startRelay();
const port = relay.port;
const browser = await launchChromium();

/** A page with `n` Rooms in one room, each logging its states and its links' states with times. */
async function openRoom(n, id) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.goto(relay.httpUrl + '/healthz');
  await page.evaluate(async ({ relayUrl, n, id }) => {
    const { Room } = await import('/dist/core.js');
    window.rooms = [];
    window.logs = [];
    for (let i = 0; i < n; i++) {
      const room = new Room({ relay: relayUrl, room: id, name: `M${i}` });
      const log = { states: [], links: [], last: {} };
      room.addEventListener('state-change', (e) => log.states.push([Date.now(), e.detail.to]));
      room.addEventListener('peer-update', (e) => {
        if (log.last[e.detail.id] === e.detail.state) return;
        log.last[e.detail.id] = e.detail.state;
        log.links.push([Date.now(), e.detail.id, e.detail.state]);
      });
      room.addEventListener('message', (e) => { if (e.detail.data?.ping && !window.firstPing) window.firstPing = Date.now(); });
      window.rooms.push(room);
      window.logs.push(log);
      await room.join();
    }
  }, { relayUrl: relay.wsUrl, n, id });
  const waitFor = (fn, a, timeout = 90_000) => page.waitForFunction(fn, a, { timeout, polling: 10 });
  const meshed = () => waitFor((k) => window.rooms.every((r) => r.state === 'connected' && r.peers.length === k && r.peers.every((p) => p.state === 'connected')), n - 1);
  const takeLogs = () => page.evaluate(() => window.logs.map((l) => { const out = { states: l.states, links: l.links }; l.states = []; l.links = []; return out; }));
  await meshed();
  await takeLogs();
  return { context, page, waitFor, meshed, takeLogs };
}

/** Per member: the first time (after `from`) its room reached `state`, minus `from`. */
const firstState = (logs, state, from) => logs.map((l) => (l.states.find(([t, s]) => t >= from && s === state)?.[0] ?? NaN) - from);

async function relayOutages(size) {
  const r = await openRoom(size, `outage-${size}`);
  const out = {};
  for (const seconds of OUTAGES) {
    const cycles = seconds >= 60 ? CYCLES_60 : seconds >= 20 ? LONG_CYCLES : CYCLES;
    const detect = [];
    const back = [];
    const lastBack = [];
    for (let c = 0; c < cycles; c++) {
      const killed = Date.now();
      await relay.kill('SIGKILL');
      await r.waitFor(() => window.rooms.every((x) => x.state === 'reconnecting'));
      await sleep(Math.max(0, killed + seconds * 1000 - Date.now()));
      relay = await startRelay(['--port', String(port)]);
      const listening = Date.now();
      await r.meshed();
      const logs = await r.takeLogs();
      detect.push(...firstState(logs, 'reconnecting', killed));
      const each = firstState(logs, 'connected', listening);
      back.push(...each);
      lastBack.push(Math.max(...each));
      await sleep(300);
    }
    out[`${seconds}s`] = { cycles, detectMs: summary(detect), backToConnectedMs: summary(back), lastMemberBackMs: summary(lastBack) };
    process.stderr.write(`outage ${size} members ${seconds} s: ${JSON.stringify(out[`${seconds}s`])}\n`);
  }
  await r.context.close();
  return out;
}

async function blackHole(size) {
  const r = await openRoom(size, `blackhole-${size}`);
  const nft = benchNft('outage');
  const detect = [];
  const back = [];
  for (let c = 0; c < FAULT_CYCLES; c++) {
    const start = Date.now();
    nft.rule(`tcp dport ${port} drop`);
    nft.rule(`tcp sport ${port} drop`);
    await r.waitFor(() => window.rooms.every((x) => x.state === 'reconnecting'), undefined, 60_000);
    await sleep(2000);
    nft.heal();
    const healed = Date.now();
    await r.meshed();
    const logs = await r.takeLogs();
    detect.push(...firstState(logs, 'reconnecting', start));
    back.push(...firstState(logs, 'connected', healed));
    await sleep(500);
  }
  nft.close();
  await r.context.close();
  return { cycles: FAULT_CYCLES, detectMs: summary(detect), healToConnectedMs: summary(back) };
}

async function udpLoss(size) {
  const r = await openRoom(size, `udp-${size}`);
  const nft = benchNft('outage');
  const detect = [];
  const connected = [];
  const data = [];
  for (let c = 0; c < FAULT_CYCLES; c++) {
    const start = Date.now();
    nft.rule('meta l4proto udp drop');
    await r.waitFor(() => window.rooms.every((x) => x.peers.every((p) => p.state === 'reconnecting')), undefined, 60_000);
    await sleep(1000);
    await r.page.evaluate(() => {
      window.firstPing = 0;
      window.pinger = setInterval(() => window.rooms[0].send({ ping: Date.now() }, { durable: false }), 10);
    });
    nft.heal();
    const healed = Date.now();
    await r.meshed();
    const allLinks = Date.now();
    await r.waitFor(() => window.firstPing > 0);
    const ping = await r.page.evaluate(() => { clearInterval(window.pinger); return window.firstPing; });
    const logs = await r.takeLogs();
    for (const l of logs) {
      const ids = new Set(l.links.map(([, id]) => id));
      for (const id of ids) detect.push((l.links.find(([t, i, s]) => i === id && t >= start && s === 'reconnecting')?.[0] ?? NaN) - start);
    }
    connected.push(allLinks - healed);
    data.push(ping - healed);
    await sleep(500);
  }
  nft.close();
  await r.context.close();
  return { cycles: FAULT_CYCLES, linkDetectMs: summary(detect), healToEveryLinkConnectedMs: summary(connected), healToP2pDataMs: summary(data) };
}

const result = { goals: { lastMemberBackMs: 3000, medianBackMs: 1500, blackHoleDetectMs: 5000, blackHoleBackMs: 2000, udpDetectMs: 2000, udpDataBackMs: 1000, heartbeatCpuPercent: 5 }, members: {} };
for (const size of SIZES) {
  result.members[size] = { relayDown: await relayOutages(size) };
  result.members[size].blackHole = await blackHole(size);
  result.members[size].udpDropped = await udpLoss(size);
  process.stderr.write(`${size} members: ${JSON.stringify(result.members[size])}\n`);
}
await browser.close();
await relay.kill();
if (!process.argv.includes('--no-herd')) {
  result.herd = await herd(Number(arg('herd', 1000)));
  result.idle = await idleCost(Number(arg('idle', 10_000)));
}
report('outage', result);
for (const row of outageRows(result)) process.stderr.write(`| ${row.join(' | ')} |\n`);
process.exit(0);
