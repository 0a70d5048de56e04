// Time from room.join() to every data channel open, for 2 and for 8 peers in one browser page on
// loopback: N core Rooms join the same room at once; the clock stops when each has an open link
// to each of the others. Median, min and max over several runs. Usage: node bench/connect.mjs [runs]
import { ensureLoopbackNamespace, launchChromium, median, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const RUNS = Number(process.argv[2] ?? 9);

const relay = await startRelay();
const browser = await launchChromium();

const results = {};
for (const peers of [2, 8]) {
  const runs = [];
  for (let i = 0; i < RUNS + 1; i++) {
    // A fresh page per run: Chromium counts closed RTCPeerConnections against its limit of 500
    // per page until they are garbage-collected.
    const page = await browser.newPage();
    await page.goto(relay.httpUrl + '/healthz');
    const r = await page.evaluate(async ({ n, relay, room }) => {
      const { Room } = await import('/dist/core.js');
      const rooms = Array.from({ length: n }, (_, k) => new Room({ relay, room, name: `peer${k}` }));
      const allOpen = () => rooms.every((x) => x.peers.length === n - 1 && x.peers.every((p) => p.state === 'connected'));
      const opened = new Promise((resolve) => {
        const check = () => { if (allOpen()) resolve(performance.now()); };
        for (const x of rooms) x.addEventListener('peer-update', check);
      });
      const t0 = performance.now();
      await Promise.all(rooms.map((x) => x.join()));
      const joined = performance.now();
      const open = await opened;
      for (const x of rooms) x.close();
      return { joinMs: joined - t0, openMs: open - t0 };
    }, { n: peers, relay: relay.wsUrl, room: `bench-${peers}-${i}` });
    await page.close();
    if (i > 0) runs.push(r); // the first run warms up the page and the relay
  }
  const open = runs.map((r) => r.openMs);
  results[`peers${peers}`] = {
    peers,
    links: (peers * (peers - 1)) / 2,
    runs: runs.length,
    joinToAllOpenMs: { median: round(median(open)), min: round(Math.min(...open)), max: round(Math.max(...open)) },
    joinToAdmittedMs: { median: round(median(runs.map((r) => r.joinMs))) },
  };
}

await browser.close();
await relay.kill();
report('connect', { goal: 'connect in under 2 s (seed 003)', ...results });
