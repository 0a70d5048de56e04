// Time from room.join() to the first decoded remote video frame, for 2 and 4 peers with audio
// and video (Chromium's fake camera) in one page on loopback. The clock stops when every peer has
// rendered a frame of every other peer (requestVideoFrameCallback). Median over several runs.
// Then stall repair (issue 21): two peers in a call; A's video track is taken off its sender to
// B (`replaceTrack(null)`, a fault outside our code). Measured at B: fault → stall reported
// (`peer.stall`), stall reported → frames decoded again and stall cleared. `broken sender`
// also makes that sender object ignore replaceTrack/setParameters, so only a new connection
// helps: it measures the whole repair ladder.
// Usage: node bench/media.mjs [runs]
import { ensureLoopbackNamespace, launchChromium, median, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const RUNS = Number(process.argv[2] ?? 7);

const relay = await startRelay();
const browser = await launchChromium();
const page = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
await page.goto(relay.httpUrl + '/healthz');

const results = {};
for (const peers of [2, 4]) {
  const runs = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const r = await page.evaluate(async ({ n, relay, room }) => {
      const { Room } = await import('/dist/core.js');
      const rooms = Array.from({ length: n }, (_, k) => new Room({ relay, room, name: `p${k}`, media: { audio: true, video: true } }));
      const firsts = [];
      const seen = new Set();
      const t0 = performance.now();
      const done = new Promise((resolve) => {
        rooms.forEach((r, k) => r.addEventListener('peer-update', (e) => {
          const stream = e.detail.stream;
          const key = `${k}:${e.detail.id}`;
          if (!stream || seen.has(key) || !stream.getVideoTracks().length) return;
          seen.add(key);
          const v = document.createElement('video');
          v.muted = true;
          v.srcObject = stream;
          v.requestVideoFrameCallback(() => {
            firsts.push(performance.now() - t0);
            v.srcObject = null;
            if (firsts.length === n * (n - 1)) resolve();
          });
          void v.play();
        }));
      });
      await Promise.all(rooms.map((r) => r.join()));
      await done;
      for (const r of rooms) r.close();
      return { all: Math.max(...firsts), first: Math.min(...firsts) };
    }, { n: peers, relay: relay.wsUrl, room: `media-${peers}-${i}` });
    if (i > 0) runs.push(r);
  }
  results[`peers${peers}`] = {
    peers,
    runs: runs.length,
    joinToFirstRemoteFrameMs: { median: round(median(runs.map((r) => r.first))) },
    joinToEveryRemoteFrameMs: { median: round(median(runs.map((r) => r.all))), max: round(Math.max(...runs.map((r) => r.all))) },
  };
}
for (const broken of [false, true]) {
  const runs = [];
  for (let i = 0; i < (broken ? Math.min(RUNS, 3) : RUNS); i++) {
    runs.push(await page.evaluate(async ({ relay, room, broken }) => {
      const { Room } = await import('/dist/core.js');
      const opts = { relay, room, media: { audio: true, video: true } };
      const a = new Room({ ...opts, name: 'A' });
      const b = new Room({ ...opts, name: 'B' });
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const until = async (ok, ms = 60_000) => {
        const end = performance.now() + ms;
        while (!(await ok())) {
          if (performance.now() > end) throw new Error('timed out');
          await sleep(20);
        }
        return performance.now();
      };
      const decoded = async () => {
        let n = 0;
        const pc = b.peers[0] && b.linkTo(b.peers[0].id)?.connection;
        if (pc) for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
        return n;
      };
      const steps = [];
      b.addEventListener('media-repair', (e) => steps.push(e.detail.to));
      try {
        await Promise.all([a.join(), b.join()]);
        await until(() => b.peers[0]?.state === 'connected' && b.peers[0].media?.video && a.peers[0]?.state === 'connected');
        const start = await decoded();
        await until(async () => (await decoded()) > start + 30);
        const sender = a.linkTo(a.peers[0].id).videoSender;
        await sender.replaceTrack(null);
        if (broken) sender.replaceTrack = sender.setParameters = async () => {};
        const t0 = performance.now();
        const detected = await until(() => !!b.peers[0]?.stall);
        const frozen = await decoded();
        const pc0 = b.linkTo(b.peers[0].id).connection;
        // A new connection (the last step) counts its frames from zero.
        const framesAgain = await until(async () => (await decoded()) > (b.linkTo(b.peers[0].id)?.connection === pc0 ? frozen : 0));
        const cleared = await until(() => b.peers[0] && !b.peers[0].stall);
        return { detectMs: detected - t0, framesAgainMs: framesAgain - detected, clearedMs: cleared - detected, steps: steps.join('>') };
      } finally {
        a.close();
        b.close();
        await sleep(200);
      }
    }, { relay: relay.wsUrl, room: `stall-${broken}-${i}`, broken }));
  }
  results[broken ? 'stallBrokenSender' : 'stall'] = {
    runs: runs.length,
    faultToStallReportedMs: { median: round(median(runs.map((r) => r.detectMs))), max: round(Math.max(...runs.map((r) => r.detectMs))) },
    stallReportedToFramesAgainMs: { median: round(median(runs.map((r) => r.framesAgainMs))), max: round(Math.max(...runs.map((r) => r.framesAgainMs))) },
    stallReportedToClearedMs: { median: round(median(runs.map((r) => r.clearedMs))), max: round(Math.max(...runs.map((r) => r.clearedMs))) },
    steps: [...new Set(runs.map((r) => r.steps))],
  };
}
await browser.close();
await relay.kill();
report('media', { includes: 'getUserMedia of the fake camera and microphone; stall: 500 ms checks, 2 s stall time', ...results });
