// Mesh against SFU (issue 19) at 4, 6 and 9 members, each member a page in one Chromium sending
// the fake camera (160×120, 10 fps, no audio by default: a mesh of 9 encodes 72 streams, on 2
// cores; the SFU gets it in three simulcast layers), through a real relay and a real Janus in a
// loopback-only namespace with the test veth pair. Per configuration: n − 1 members join together;
// once they all see each other the last one joins, and its join() → first remote frame and → every
// remote frame are timed (requestVideoFrameCallback); then, with everyone in, uplink per member
// (bytes sent on all its connections over 6 s), CPU per member (all of Chromium's processes over
// the same 6 s, divided by the members) and Janus's CPU. Then the SFU's fan-out: 1 publisher and
// 20 bare subscribers that only watch (see `watch`). Both topologies run in the same process.
// A configuration that does not get every member decoding every other within 120 s is reported
// as such, with how many had, and the run goes on.
// Usage: node bench/sfu.mjs [--sizes 4,6,9] [--watchers 20] [--camera 160x120@10] [--audio]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureLoopbackNamespace, median, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg('--sizes', '4,6,9').split(',').map(Number);
const WATCHERS = Number(arg('--watchers', '20'));
const MEASURE_MS = 6000;
const [, W, H, FPS] = /^(\d+)x(\d+)@(\d+)$/.exec(arg('--camera', '160x120@10')).map(Number);
const WITH_AUDIO = process.argv.includes('--audio');

// Janus, like Firefox, gathers ICE candidates only with an interface besides `lo` (nothing leaves the namespace).
const veth = spawnSync('bash', [fileURLToPath(new URL('../test/helpers/netns-veth.sh', import.meta.url))], { stdio: 'inherit' });
if (veth.status !== 0) throw new Error('bench: could not add the veth pair Janus needs');
const { Janus } = await import('../test/helpers/janus.ts');
const janus = new Janus();
await janus.start();
const relay = await startRelay(['--max-members', String(Math.max(...SIZES, WATCHERS + 1) + 1), ...janus.relayArgs]);
// Chromium sends fewer simulcast layers of a small picture; the field trial keeps all three.
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/'] });

/** CPU seconds used so far by every process whose command line is Chromium's, and by `pid`. */
function cpuSeconds(pid) {
  const hz = 100;
  let chromiumTicks = 0;
  let pidTicks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(f[11]) + Number(f[12]);
      if (Number(d) === pid) pidTicks = ticks;
      else if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('chromium')) chromiumTicks += ticks;
    } catch { /* gone meanwhile */ }
  }
  return { chromium: chromiumTicks / hz, janus: pidTicks / hz };
}

/** Opens `n` member pages (one context each) on the relay's origin. */
async function pages(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    await page.goto(relay.httpUrl + '/healthz');
    out.push({ context, page });
  }
  return out;
}

/** Joins a member in page `p`; resolves at once. The page records, per peer, when it first decoded its video (ms after its join() call). */
const join = (p, { room, name, mode, send }) => p.page.evaluate(({ url, room, name, mode, send, camera, AUDIO }) => {
  window.__firsts = {};
  import('/dist/core.js').then(({ Room }) => {
    const mediaDevices = { getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: AUDIO, video: camera }) };
    const r = new Room({ relay: url, room, name, mode, media: send ? { audio: AUDIO, video: true } : null, mediaDevices, maxPeers: 64 });
    window.__room = r;
    const t0 = performance.now();
    r.addEventListener('peer-update', (e) => {
      const { id, stream } = e.detail;
      if (!stream || !stream.getVideoTracks().length || id in window.__firsts) return;
      window.__firsts[id] = null;
      const v = document.createElement('video');
      v.muted = true;
      v.srcObject = stream;
      v.requestVideoFrameCallback(() => {
        window.__firsts[id] = performance.now() - t0;
        v.srcObject = null;
      });
      void v.play();
    });
    void r.join();
  });
}, { url: relay.wsUrl, room, name, mode, send, camera: { width: W, height: H, frameRate: FPS }, AUDIO: WITH_AUDIO }).then(() => undefined);

/** Frame times of a page: per peer decoded so far. */
const firstsOf = (p) => p.page.evaluate(() => Object.values(window.__firsts ?? {}).filter((t) => t !== null));

/** Bytes sent so far on every connection of the page's room (links and SFU). */
const sent = (p) => p.page.evaluate(async () => {
  const r = window.__room;
  const pcs = [...r.peers.map((x) => r.linkTo(x.id)?.connection).filter(Boolean), ...r.sfuConnections];
  let bytes = 0;
  for (const pc of pcs) for (const s of (await pc.getStats()).values()) if (s.type === 'outbound-rtp') bytes += s.bytesSent ?? 0;
  return bytes;
});

/** Waits until every page decoded `expect` remotes; false (with how many did) after `timeoutMs`. */
async function waitAll(ps, expect, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(ps.map(async (p) => (await firstsOf(p)).length));
    if (counts.every((c) => c >= expect)) return { ok: true };
    if (Date.now() > deadline) return { ok: false, complete: counts.filter((c) => c >= expect).length };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function closeAll(ps) {
  for (const p of ps) await p.page.evaluate(() => window.__room?.close()).catch(() => {});
  for (const p of ps) await p.context.close();
}

/**
 * One room of `n` members in `mode`, everyone sending: the first n − 1 join together; once they
 * all see each other, the last one joins and is timed (what a person joining a call feels); then
 * uplink and CPU with everyone in.
 */
async function room(mode, n) {
  const ps = await pages(n);
  const name = `${mode}-${n}`;
  const early = ps.slice(0, -1);
  await Promise.all(early.map((p, i) => join(p, { room: name, name: `m${i}`, mode, send: true })));
  let all = await waitAll(early, n - 2, 120_000);
  if (all.ok) {
    await join(ps[n - 1], { room: name, name: `m${n - 1}`, mode, send: true });
    all = await waitAll(ps, n - 1, 120_000);
  }
  if (!all.ok) {
    await closeAll(ps);
    return { mode, members: n, failed: `after 120 s only ${all.complete} members decoded every other` };
  }
  const last = await firstsOf(ps[n - 1]);
  await new Promise((r) => setTimeout(r, 3000));
  const b0 = await Promise.all(ps.map(sent));
  const c0 = cpuSeconds(janus.pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const b1 = await Promise.all(ps.map(sent));
  const c1 = cpuSeconds(janus.pid);
  const secs = (Date.now() - t0) / 1000;
  const uplinkKbps = b1.map((b, i) => ((b - b0[i]) * 8) / secs / 1000);
  await closeAll(ps);
  return {
    mode, members: n,
    lastJoinerToFirstRemoteFrameMs: round(Math.min(...last)),
    lastJoinerToEveryRemoteFrameMs: round(Math.max(...last)),
    uplinkKbpsPerMember: { median: round(median(uplinkKbps)) },
    chromiumCpuPercentPerMember: round(((c1.chromium - c0.chromium) / secs / n) * 100),
    janusCpuPercent: round(((c1.janus - c0.janus) / secs) * 100),
  };
}

/**
 * Receive-only load in one page: `n` bare subscribers, each its own relay socket joining the room
 * and one receive-only connection from the SFU to `publisher` (the protocol a member speaks, without
 * the rest of a Room: no member links, which a full member keeps to every other and which would
 * make this a test of 20 browsers' data links). Records each one's join → first decoded frame.
 */
const watch = (p, { n, publisher }) => p.page.evaluate(async ({ url, n, publisher }) => {
  const id = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  window.__watchers = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const w = { first: null, pc: null };
    window.__watchers.push(w);
    const ws = new WebSocket(url);
    const send = (f) => ws.send(JSON.stringify(f));
    ws.onopen = () => send({ type: 'join', v: 1, room: 'fan-out', peerId: id(), key: id(), session: id(), name: `w${i}`, baseN: 0, lastN: 0 });
    ws.onmessage = async (e) => {
      const f = JSON.parse(e.data);
      if (f.type === 'synced') send({ type: 'sfu', op: 'subscribe', peer: publisher });
      if (f.type === 'sfu' && (f.op === 'absent' || f.op === 'published')) setTimeout(() => send({ type: 'sfu', op: 'subscribe', peer: publisher }), f.op === 'absent' ? 500 : 0);
      if (f.type !== 'sfu' || f.op !== 'offer') return;
      const pc = new RTCPeerConnection();
      w.pc = pc;
      let described = false;
      const early = [];
      pc.onicecandidate = ({ candidate: c }) => {
        const frame = { type: 'sfu', op: 'candidate', peer: publisher, candidate: c && c.candidate ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : null };
        if (c && !c.candidate) return;
        if (described) send(frame);
        else early.push(frame);
      };
      pc.ontrack = (t) => {
        if (t.track.kind !== 'video') return;
        const v = document.createElement('video');
        v.muted = true;
        v.srcObject = new MediaStream([t.track]);
        v.requestVideoFrameCallback(() => { w.first = performance.now() - t0; });
        void v.play();
      };
      await pc.setRemoteDescription({ type: 'offer', sdp: f.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: 'sfu', op: 'start', peer: publisher, sdp: pc.localDescription.sdp });
      described = true;
      for (const x of early.splice(0)) send(x);
    };
    window.__closeWatchers = () => { for (const x of window.__watchers) x.pc?.close(); };
  }
}, { url: relay.wsUrl, n, publisher });

/** The SFU's fan-out: one publisher (a Room in SFU mode) and `watchers` bare subscribers. */
async function fanOut(watchers) {
  const [pub, crowd] = await pages(2);
  await join(pub, { room: 'fan-out', name: 'publisher', mode: 'sfu', send: true });
  await pub.page.waitForFunction(() => window.__room?.sfuConnections[0]?.connectionState === 'connected', undefined, { timeout: 60_000 });
  const publisher = await pub.page.evaluate(() => window.__room.selfId);
  await watch(crowd, { n: watchers, publisher });
  const deadline = Date.now() + 120_000;
  let firsts = [];
  for (;;) {
    firsts = await crowd.page.evaluate(() => window.__watchers.map((w) => w.first).filter((t) => t !== null));
    if (firsts.length === watchers || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (firsts.length < watchers) {
    await closeAll([pub, crowd]);
    return { watchers, failed: `after 120 s only ${firsts.length} of ${watchers} watchers decoded the publisher` };
  }
  await new Promise((r) => setTimeout(r, 3000));
  const b0 = await sent(pub);
  const c0 = cpuSeconds(janus.pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const b1 = await sent(pub);
  const c1 = cpuSeconds(janus.pid);
  const secs = (Date.now() - t0) / 1000;
  await crowd.page.evaluate(() => window.__closeWatchers());
  await closeAll([pub, crowd]);
  return {
    watchers,
    joinToFirstFrameMs: { median: round(median(firsts)), max: round(Math.max(...firsts)) },
    publisherUplinkKbps: round(((b1 - b0) * 8) / secs / 1000),
    janusCpuPercent: round(((c1.janus - c0.janus) / secs) * 100),
    chromiumCpuPercent: round(((c1.chromium - c0.chromium) / secs) * 100),
  };
}

const rooms = [];
try {
  for (const n of SIZES) for (const mode of ['mesh', 'sfu']) {
    const r = await room(mode, n);
    rooms.push(r);
    process.stderr.write(`${mode} ${n}: ${JSON.stringify(r)}\n`);
  }
  const fan = [];
  for (const n of WATCHERS > 0 ? [Math.ceil(WATCHERS / 2), WATCHERS] : []) fan.push(await fanOut(n));
  for (const f of fan) process.stderr.write(`fan-out: ${JSON.stringify(f)}\n`);
  report('sfu', { camera: `${W}x${H} ${FPS} fps${WITH_AUDIO ? ' + audio' : ', no audio'}`, measureMs: MEASURE_MS, rooms, fanOut: fan });
} finally {
  await browser.close();
  await relay.kill();
  await janus.close();
}
