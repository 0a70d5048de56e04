// Bundle size, min+gzip, of what a page downloads, per build: the ES module elements as a chat
// page loads them (every file fetched before the room is connected), each feature loaded on first
// use, the German strings, the core alone, and the classic script with everything; and, bundled
// the same way in the same run, PeerJS (`Peer`), Trystero (`joinRoom`) and lit alone.
// `--check` (part of `npm test`) measures only our builds and fails over budget.
//
// The ES module files a build loads are read from esbuild's metafile (dist/metafile.json): an
// entry and every chunk it imports statically, each gzipped on its own as the browser fetches it.
//
// Usage: node bench/size.mjs [--check]
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { report } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const KB = 1024;

/**
 * Budgets, min+gzip bytes. `goal` is what issue 17 asked for; `budget` is enforced. Where the
 * goal is not met yet the budget guards the measured size against growth (and the report says so):
 * the chat page's kernel (self-healing relay session and links, exactly-once delivery with
 * repair, ~18 KB) and lit (~6 KB) leave no room for the elements under 26 KB.
 */
const LIMITS = {
  // Issue 16's heartbeats, relay-up hints, fast-return backoff and asking over HTTP before a
  // reconnect (Chromium throttles failed WebSocket connects) live in the kernel: +1.2 KB. Peer
  // links that write frames the remote has not confirmed again over a new connection (issue 18:
  // Firefox lost the frame in flight when a rolled-back ICE restart failed the transport): +0.3 KB.
  // SFU mode (issue 19): the kernel decides where media goes (Topology: mode, the relay's mesh
  // limit, peers that moved), routes the relay's sfu frames and shows the streams the SFU brings;
  // the SFU itself is a lazy chunk. With room.ts split to stay small (feature host, health watch
  // in modules of their own) and the English of sfu-unavailable, and Room.audioLevel/showPeers for
  // the grid's speaker and pages, and a page's own mesh limit (mesh-limit): +1.0 KB. Signals and
  // SFU requests paced under the relay's set-up budget (a newcomer to a room of 50 sets up ~600
  // paths at once; the relay dropped what passed 200): +0.15 KB.
  'chat page (initial load)': { goal: 26 * KB, budget: 36.2 * KB },
  // Media stall detection and repair (issue 21) live in the media chunk, not the kernel: +1.8 KB.
  // The grid's pages (max-tiles), active speaker and tile sizes for the SFU's layers (issue 19): +0.8 KB.
  'media (lazy)': { goal: 6 * KB, budget: 7.6 * KB },
  'files (lazy)': { goal: 6 * KB, budget: 6 * KB },
  'recording (lazy)': { goal: 6 * KB, budget: 6 * KB },
  // Rooms in SFU mode (issue 19): publication, subscriptions, layer choice and stalls (with the link health monitor), trickle.
  'sfu (lazy)': { goal: 6 * KB, budget: 6 * KB },
  'i18n/de.js (opt-in)': { goal: 3 * KB, budget: 3 * KB },
  'core.js': { goal: 22 * KB, budget: 22 * KB },
  // Everything in one file: issues 16, 18 (browser fallbacks) and 21 add ~3 KB; issue 18's Firefox
  // fixes (RTT from RTCP and from the link heartbeat, asking for a lost file chunk) 0.1 KB more,
  // unconfirmed frames written again over a new connection 0.3 KB, the room kernel's relay
  // admission in a module of its own (an object of named parts, which minify less) 0.1 KB; SFU mode
  // (issue 19: publication with simulcast, subscriptions choosing their layer and finding stalls,
  // trickled candidates, moving a room, the kernel's part, a page's mesh limit, layers by tile
  // size) 2.9 KB; the grid's pages and active speaker 0.8 KB; set-up frames paced 0.15 KB.
  'mesh-room.iife.js': { goal: 40 * KB, budget: 49.3 * KB },
  'i18n/de.iife.js (opt-in)': { goal: 3 * KB, budget: 3 * KB },
};

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const dist = (f) => `${ROOT}/${f}`;

if (!existsSync(dist('dist/metafile.json'))) throw new Error('dist/metafile.json is missing; run `node build.mjs` first');
const meta = JSON.parse(readFileSync(dist('dist/metafile.json'), 'utf8'));

/** An output file and every chunk it imports statically (what the browser fetches for it). */
function closure(entry) {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    if (!meta.outputs[f]) throw new Error(`${f} is not in dist/metafile.json`);
    seen.add(f);
    for (const i of meta.outputs[f].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return seen;
}

/** The dynamic imports of a set of files. */
const lazyOf = (files) => [...files].flatMap((f) => meta.outputs[f].imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));

function measure(files) {
  let minBytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const bytes = readFileSync(dist(f));
    minBytes += bytes.length;
    gzipBytes += gz(bytes);
  }
  return { minBytes, gzipBytes, files: [...files].map((f) => f.replace(/^dist\//, '')).sort() };
}

const initial = closure('dist/mesh-room.js');
/** What a feature adds to a chat page: its files not loaded already. */
const beyond = (...entries) => new Set(entries.flatMap((e) => [...closure(e)]).filter((f) => !initial.has(f)));
const chatFile = lazyOf(initial).find((f) => /chat-file/.test(f));
const recordingView = lazyOf(initial).find((f) => /recording-view/.test(f));
const sfuChunk = lazyOf(initial).find((f) => /\/sfu-[^/]*\.js$/.test(f));

const bundles = {
  'chat page (initial load)': measure(initial),
  'media (lazy)': measure(beyond('dist/media.js', 'dist/core/media.js')),
  'files (lazy)': measure(beyond('dist/core/files.js', chatFile)),
  'recording (lazy)': measure(beyond('dist/core/recording.js', recordingView)),
  'sfu (lazy)': measure(beyond(sfuChunk)),
  'i18n/de.js (opt-in)': measure(beyond('dist/i18n/de.js')),
  'core.js': measure(closure('dist/core.js')),
  'mesh-room.iife.js': measure(['dist/mesh-room.iife.js']),
  'i18n/de.iife.js (opt-in)': measure(['dist/i18n/de.iife.js']),
};
for (const [name, l] of Object.entries(LIMITS)) Object.assign(bundles[name], { goalBytes: l.goal, budgetBytes: l.budget });

/** Bundles `source` (an ES module importing one export of a package) the way build.mjs bundles ours. */
async function bundled(source) {
  const r = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js' },
    bundle: true, minify: true, format: 'esm', target: 'es2022', platform: 'browser', write: false, logLevel: 'silent',
  });
  const bytes = r.outputFiles[0].contents;
  return { minBytes: bytes.length, gzipBytes: gz(bytes) };
}

const version = (pkg) => JSON.parse(readFileSync(`${ROOT}/node_modules/${pkg}/package.json`, 'utf8')).version;

if (!check) {
  bundles['lit (alone)'] = { ...(await bundled("export { LitElement, html, css } from 'lit';")), version: version('lit') };
  bundles['peerjs Peer (no UI)'] = { ...(await bundled("export { Peer } from 'peerjs';")), version: version('peerjs') };
  bundles['trystero joinRoom (no UI)'] = { ...(await bundled("export { joinRoom } from 'trystero';")), version: version('trystero') };
}

const over = Object.entries(bundles).filter(([, b]) => b.budgetBytes && b.gzipBytes > b.budgetBytes);
const kb = (n) => (n / KB).toFixed(1) + ' KB';
for (const [name, b] of Object.entries(bundles)) {
  const budget = b.budgetBytes ? `  budget ${kb(b.budgetBytes)}${b.gzipBytes > b.budgetBytes ? '  OVER' : ''}` : '';
  const goal = b.goalBytes && b.goalBytes !== b.budgetBytes ? `  goal ${kb(b.goalBytes)}${b.gzipBytes > b.goalBytes ? ' (not met)' : ' (met)'}` : '';
  const files = b.files && b.files.length > 1 ? `  (${b.files.length} files)` : '';
  process.stderr.write(`${name.padEnd(26)} ${kb(b.minBytes).padStart(9)} min  ${kb(b.gzipBytes).padStart(8)} gzip${budget}${goal}${files}\n`);
}

if (check) {
  if (over.length) {
    console.error(`size: over budget: ${over.map(([n]) => n).join(', ')} (budgets live in bench/size.mjs)`);
    process.exit(1);
  }
  console.log('size: every build within budget');
} else {
  report('size', { unit: 'bytes', bundles });
}
