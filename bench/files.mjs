// File transfer on loopback: two browser pages (separate contexts, as two users), one 50 MB file
// from one to the other over the mesh's `files` data channel. Prints throughput (MB/s, from
// sendFile() to the receiver's verified blob) and the receiving page's peak JS heap (V8 heap +
// ArrayBuffer backing stores, sampled every 50 ms through CDP), per run and as medians.
// Usage: node bench/files.mjs [runs] [MB] [chunk KiB]
import { ensureLoopbackNamespace, launchChromium, median, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const RUNS = Number(process.argv[2] ?? 3);
const SIZE_MB = Number(process.argv[3] ?? 50);
const CHUNK_KIB = process.argv[4] ? Number(process.argv[4]) : null;
const MiB = 1024 * 1024;

const relay = await startRelay();
const browser = await launchChromium();

async function user(room, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(relay.httpUrl + '/healthz');
  await page.evaluate(async ({ relay, room, name, chunk }) => {
    const { Room } = await import('/dist/core.js');
    const r = new Room({ relay, room, name, files: { autoAcceptBytes: 1024 ** 3, ...(chunk ? { chunkBytes: chunk * 1024 } : {}) } });
    window.__room = r;
    window.__received = new Promise((resolve) => r.addEventListener('file-received', (e) => resolve(performance.now())));
    await r.join();
  }, { relay: relay.wsUrl, room, name, chunk: CHUNK_KIB });
  return { context, page };
}

const runs = [];
for (let i = 0; i < RUNS; i++) {
  const room = `files-bench-${i}`;
  const a = await user(room, 'sender');
  const b = await user(room, 'receiver');
  await Promise.all([a, b].map(({ page }) => page.waitForFunction(() => window.__room.peers[0]?.state === 'connected', null, { polling: 20 })));
  await a.page.evaluate((n) => {
    const parts = [];
    for (let at = 0; at < n; at += 65536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, n - at))));
    window.__file = new Blob(parts);
  }, SIZE_MB * MiB);
  const cdp = await b.context.newCDPSession(b.page);
  const heap = async () => {
    const h = await cdp.send('Runtime.getHeapUsage');
    return h.usedSize + (h.backingStorageSize ?? 0);
  };
  await cdp.send('HeapProfiler.collectGarbage');
  const baseline = await heap();
  let peak = baseline;
  const t0 = await b.page.evaluate(() => performance.now());
  await a.page.evaluate(() => window.__room.sendFile(window.__file, { name: 'bench.bin' }));
  let doneAt = null;
  const done = b.page.evaluate(() => window.__received).then((t) => { doneAt = t; });
  while (doneAt === null) {
    peak = Math.max(peak, await heap());
    await new Promise((r) => setTimeout(r, 50));
  }
  await done;
  const seconds = (doneAt - t0) / 1000;
  runs.push({ seconds: round(seconds, 2), mbPerSecond: round(SIZE_MB / seconds), receiverPeakHeapMiB: round(peak / MiB), receiverBaselineHeapMiB: round(baseline / MiB) });
  process.stderr.write(`run ${i + 1}: ${SIZE_MB} MB in ${seconds.toFixed(2)} s, receiver heap peak ${(peak / MiB).toFixed(1)} MiB (baseline ${(baseline / MiB).toFixed(1)})\n`);
  await cdp.detach();
  for (const u of [a, b]) {
    await u.page.evaluate(() => window.__room.close());
    await u.context.close();
  }
}

await browser.close();
await relay.kill();
report('files', {
  fileMB: SIZE_MB,
  chunkKiB: CHUNK_KIB ?? 128,
  runs,
  throughputMBps: { median: median(runs.map((r) => r.mbPerSecond)) },
  receiverPeakHeapMiB: { median: median(runs.map((r) => r.receiverPeakHeapMiB)), max: Math.max(...runs.map((r) => r.receiverPeakHeapMiB)) },
  receiverPeakAboveBaselineMiB: { median: round(median(runs.map((r) => r.receiverPeakHeapMiB - r.receiverBaselineHeapMiB))) },
});
