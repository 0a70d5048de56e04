// `npm run bench`: builds, runs every benchmark one after another (each in its own loopback-only
// network namespace), writes one report, bench/results/report.json, and puts the table into
// README.md between the bench markers. A benchmark that fails is listed in the report and the
// table keeps its previous figures out (no stale numbers presented as new).
//
// Usage: node bench/run-all.mjs [--quick]   (--quick: fewer runs and a smaller relay load, ~3 min)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';
import { outageRows } from './outage-rows.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');

/** Name → arguments. Order: the cheap ones first, so a broken build shows quickly. */
const BENCHES = {
  size: [],
  connect: quick ? ['3'] : [],
  delivery: quick ? ['300'] : [],
  recovery: quick ? ['5'] : [],
  outage: quick ? ['--cycles', '2', '--long-cycles', '1', '--fault-cycles', '2', '--outages', '2,20', '--herd', '300', '--idle', '2000'] : [],
  media: quick ? ['3'] : [],
  files: quick ? ['1'] : [],
  relay: quick ? ['--quick'] : [],
  'room-model': quick ? ['30'] : ['300'],
  fuzz: quick ? ['10000'] : [],
};

function run(cmd, args) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 20 * 60_000 });
  return { ok: r.status === 0, seconds: Math.round((Date.now() - t0) / 100) / 10, status: r.status ?? r.signal };
}

function chromiumVersion() {
  for (const bin of [process.env.CHROME_PATH, 'chromium', 'chromium-browser'].filter(Boolean)) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return 'unknown';
}

if (!run(process.execPath, ['build.mjs']).ok) {
  console.error('bench: the build failed');
  process.exit(1);
}

const results = {};
const failed = [];
for (const [name, args] of Object.entries(BENCHES)) {
  const file = `${ROOT}/bench/results/${name}.json`;
  rmSync(file, { force: true });
  process.stderr.write(`\n── bench/${name}.mjs ${args.join(' ')}\n`);
  const r = run(process.execPath, [`bench/${name}.mjs`, ...args]);
  // A benchmark that failed but wrote its figures (the soak's counterexample) is shown, marked failed.
  if (existsSync(file)) results[name] = { seconds: r.seconds, ...JSON.parse(readFileSync(file, 'utf8')) };
  if (!r.ok || !existsSync(file)) failed.push({ name, status: r.status });
}

const report = { at: new Date().toISOString(), quick, machine: { ...machine(), chromium: chromiumVersion() }, failed, results };
writeFileSync(`${ROOT}/bench/results/report.json`, JSON.stringify(report, null, 2) + '\n');

const table = renderTable(report);
const README = `${ROOT}/README.md`;
const START = '<!-- bench:start (written by `npm run bench`) -->';
const END = '<!-- bench:end -->';
const readme = readFileSync(README, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a >= 0 && b > a) writeFileSync(README, readme.slice(0, a + START.length) + '\n' + table + '\n' + readme.slice(b));
process.stdout.write(table + '\n');
process.stderr.write(`\nbench: report in bench/results/report.json${failed.length ? `; FAILED: ${failed.map((f) => f.name).join(', ')}` : ''}\n`);
process.exit(failed.length ? 1 : 0);

/** The README table: one row per figure a user cares about, with what it is compared against. */
function renderTable({ machine: m, results: r, at, quick: q, failed: f }) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const ms = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n} ms`);
  const k = (n) => `${Math.round(n / 1000)}k`;
  const rows = [];
  if (r.size) {
    const s = r.size.bundles;
    const goal = (b) => (b.gzipBytes > b.goalBytes ? `goal ${kb(b.goalBytes)} not met` : `goal ${kb(b.goalBytes)} met`);
    const chat = s['chat page (initial load)'];
    rows.push(['`size` — a chat page: `mesh-room.js` and the chunks it imports (elements, core, lit, English), min+gzip', `${kb(chat.gzipBytes)} (${chat.files.length} files)`,
      `PeerJS ${s['peerjs Peer (no UI)'].version} ${kb(s['peerjs Peer (no UI)'].gzipBytes)}, Trystero ${s['trystero joinRoom (no UI)'].version} ${kb(s['trystero joinRoom (no UI)'].gzipBytes)}, neither with UI; ${goal(chat)}`]);
    rows.push(['same, loaded on first use: media (with grid and controls) / files / recording', ['media (lazy)', 'files (lazy)', 'recording (lazy)'].map((n) => kb(s[n].gzipBytes)).join(' / '), `German strings ${kb(s['i18n/de.js (opt-in)'].gzipBytes)} (opt-in); ${goal(s['media (lazy)'])} each`]);
    rows.push(['same, `mesh-room/core` alone (no UI), features on first use', kb(s['core.js'].gzipBytes), `lit alone ${kb(s['lit (alone)'].gzipBytes)}; ${goal(s['core.js'])}`]);
    rows.push(['same, `mesh-room.iife.js`: everything in one classic script', kb(s['mesh-room.iife.js'].gzipBytes), goal(s['mesh-room.iife.js'])]);
  }
  if (r.connect) {
    rows.push(['`connect` — `join()` to every data channel open, 2 peers', `${ms(r.connect.peers2.joinToAllOpenMs.median)} median`, 'goal < 2 s']);
    rows.push(['same, 8 peers in one page (28 links)', `${ms(r.connect.peers8.joinToAllOpenMs.median)} median`, 'goal < 2 s']);
  }
  if (r.delivery) {
    const d = r.delivery;
    const lifted = (x) => (x?.liftedLimits?.length ? `; limits lifted: ${x.liftedLimits.join(', ')}` : '');
    rows.push([`\`delivery\` — message latency, peer-to-peer path alone (relay cut off; ${d.p2pLatencyMs.n} durable messages at ${d.pacedAtPerSecond}/s)`, `p50 ${d.p2pLatencyMs.p50} ms, p99 ${d.p2pLatencyMs.p99} ms`, `default limits${lifted(d.p2pLatencyMs)}`]);
    rows.push(['same, relay path alone (no peer connection)', `p50 ${d.relayLatencyMs.p50} ms, p99 ${d.relayLatencyMs.p99} ms`, 'default relay limits (50 frames/s per connection)']);
    const c = d.chaos;
    rows.push([`chaos: ${c.sent} messages in rooms of 4, faults: ${c.faults.length} (relay kills and UDP drops)`,
      `${c.delivered}/${c.expectedDeliveries} delivered, ${c.duplicates} duplicates, ${c.lost} lost, ${c.reportedLost} reported lost`, `goal: exactly once; default relay limits; clients tuned to recover faster: ${c.clientTuning}`]);
  }
  if (r.recovery) {
    const v = r.recovery;
    const x = v.relayRestart;
    rows.push([`\`recovery\` — relay SIGKILL + restart (outage ${ms(x.outageMs.median)} median): restarted relay listening → rooms \`connected\` (${v.cycles} cycles)`, `${ms(x.toConnectedMs.median)} median, ${ms(x.toConnectedMs.max)} max`, 'goal < 3 s']);
    rows.push(['same, from the kill → rooms `connected` (includes the outage)', `${ms(x.fromKill.toConnectedMs.median)} median, ${ms(x.fromKill.toConnectedMs.max)} max`, '']);
    rows.push([`UDP outage (${ms(v.udpOutage.outageMs.median)} median) healed → first peer-to-peer message`, `${ms(v.udpOutage.healToP2pDataMs.median)} median, ${ms(v.udpOutage.healToP2pDataMs.max)} max`, `Chromium needs ${ms(v.udpOutage.detectionMs.median)} to notice the outage`]);
  }
  if (r.outage) rows.push(...outageRows(r.outage));
  if (r.media) {
    rows.push(['`media` — `join()` with camera to first remote video frame, 2 peers', `${ms(r.media.peers2.joinToFirstRemoteFrameMs.median)} median`, '']);
    rows.push(['same, 4 peers, every remote tile showing video', `${ms(r.media.peers4.joinToEveryRemoteFrameMs.median)} median`, '']);
  }
  if (r.files) {
    const f = r.files;
    rows.push([`\`files\` — ${f.fileMB} MB between two browser pages, ${f.chunkKiB} KiB chunks, SHA-256 checked`, `${f.throughputMBps.median} MB/s median`, 'CPU-bound here: 2 cores for 2 renderers and the browser']);
    rows.push(['same, receiving page: peak JS heap (V8 + ArrayBuffers)', `${f.receiverPeakHeapMiB.median} MiB median, ${f.receiverPeakHeapMiB.max} MiB max`, `the file itself: ${f.fileMB} MB (kept in the browser's blob store)`]);
  }
  if (r.relay) {
    const x = r.relay;
    const at = (rate) => x.byOfferedDeliveriesPerSecond[rate];
    for (const rate of x.load.loadsOffered) {
      const row = at(rate);
      rows.push([`\`relay\` — ${x.load.rooms} rooms × ${x.load.clientsPerRoom}, ${k(rate)} deliveries/s offered: p50 / p99, server CPU per delivery`,
        `${row.memory.p50Ms} / ${row.memory.p99Ms ?? '–'} ms, ${row.memory.serverCpuUsPerDelivery} µs`,
        `raw ws ${row.rawWs.p50Ms} / ${row.rawWs.p99Ms ?? '–'} ms, ${row.rawWs.serverCpuUsPerDelivery} µs${row.memoryP99VsRaw === null ? ' (load generator was the bottleneck: no ratio)' : `; p99 ${row.memoryP99VsRaw}× raw (goal ≤ 2×)`}`]);
    }
    const s = x.stalledReaders;
    rows.push([`same at ${k(s.offeredPerSecond)}/s with ${s.rooms} stalled readers in busy rooms: the others' p99`, `${s.p99MsWith ?? '–'} ms (median of ${s.p99MsEachWith.length} phases)`, `${s.p99MsWithout} ms without them (median of ${s.p99MsEachWithout.length} phases, alternating, same history)`]);
    const r56 = x.redis[56000];
    const r14 = x.redis[14000];
    rows.push(['same, rooms kept in Redis (`--redis`), 56k/s: p50 / p99', `${r56.latencyMs.p50} / ${r56.latencyMs.p99 ?? '–'} ms`,
      `${r56.generatorBound ? 'load generator was the bottleneck ' : ''}(at 14k/s: ${r14.latencyMs.p50} / ${r14.latencyMs.p99 ?? '–'} ms)`]);
    rows.push([`idle memory per connection (${x.idle.connections} connections)`, `${x.idle.memoryKiBPerConnection} KiB`, `raw ws ${x.idle.rawWsKiBPerConnection} KiB (${x.idle.memoryVsRaw}×, goal ≤ 1.5×)`]);
  }
  if (r['room-model']) {
    const m = r['room-model'];
    rows.push(['`room-model` — random sequences of joins, resumes, takeovers, drops, grace expiry, publishes, restarts (and Redis freezes) checked against a model', `${m.memory.sequencesPassed.toLocaleString('en')} (memory) and ${m.redis.sequencesPassed.toLocaleString('en')} (Redis) passed`, m.memory.failed || m.redis.failed ? 'FAILED: see bench/results/room-model.json' : 'no failure']);
  }
  if (r.fuzz) {
    const f = r.fuzz;
    rows.push(['`fuzz` — hostile frames against the relay process', `${f.framesTried.toLocaleString('en')} frames, ${f.crashes} crashes`,
      `calm room meanwhile: ${f.calmRoom.delivered}/${f.calmRoom.sent} delivered, ${f.calmRoom.duplicates} duplicates; limits lifted: ${f.liftedLimits.join(', ')} (${f.liftedLimitsWhy})`]);
  }
  const all = Object.entries(r).filter(([name]) => name !== 'size'); // size opens no socket
  const onHost = all.filter(([, x]) => x.netns === false).map(([name]) => name);
  const where = onHost.length === 0 && all.length > 0 ? 'inside a network namespace' : `NOT all inside a network namespace (on the host loopback: ${onHost.join(', ')})`;
  const lines = [
    `Measured ${at.slice(0, 10)}${q ? ' (quick run)' : ''} on ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node.replace(/^v/, '')}, ${m.chromium}, ${m.platform}; loopback only, ${where}.`,
    '',
    '| benchmark (`node bench/<name>.mjs`) | mesh-room | compared with |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    ...(f.length ? ['', `**Failed in this run:** ${f.map((x) => `\`${x.name}\` (exit ${x.status})`).join(', ')}; see bench/results/.`] : []),
  ];
  return lines.join('\n');
}
