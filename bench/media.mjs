// Time from room.join() to the first decoded remote video frame, for 2 and 4 peers with audio
// and video (Chromium's fake camera) in one page on loopback. The clock stops when every peer has
// rendered a frame of every other peer (requestVideoFrameCallback). Median over several runs.
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
await browser.close();
await relay.kill();
report('media', { includes: 'getUserMedia of the fake camera and microphone', ...results });
