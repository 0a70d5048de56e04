// Bundle size, min+gzip, of what a page downloads: our element bundle (ES module and classic
// script), the core alone, and, bundled the same way in the same run, the two P2P libraries people
// compare us with (PeerJS `Peer`, Trystero `joinRoom`) and lit alone. Budgets guard against
// regressions; `--check` (part of `npm test`) measures only our files and fails over budget.
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
 * Regression budgets, min+gzip bytes. Issue 9 asked for all elements + core + lit ≤ 20 KB; the
 * bundle is ~42 KB because the core alone (self-healing links, exactly-once messages, media,
 * health, TURN refresh: ~18 KB; file transfer and recording: ~5.5 KB more) is ~24 KB and lit
 * ~6 KB. `GOAL` records that target so every report shows the distance to it; the budgets stop
 * it from growing further unnoticed.
 */
const BUDGET = { 'mesh-room.js': 44 * KB, 'mesh-room.iife.js': 44 * KB, 'core.js': 25 * KB };
const GOAL = { 'mesh-room.js': 20 * KB };

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

function ours(file) {
  const path = `${ROOT}/dist/${file}`;
  if (!existsSync(path)) throw new Error(`${path} is missing; run \`node build.mjs\` first`);
  const bytes = readFileSync(path);
  return { minBytes: bytes.length, gzipBytes: gz(bytes) };
}

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

const bundles = {};
for (const file of Object.keys(BUDGET)) bundles[file] = { ...ours(file), budgetBytes: BUDGET[file] };
for (const [file, goal] of Object.entries(GOAL)) bundles[file].goalBytes = goal;

if (!check) {
  bundles['lit (alone)'] = { ...(await bundled("export { LitElement, html, css } from 'lit';")), version: version('lit') };
  bundles['peerjs Peer'] = { ...(await bundled("export { Peer } from 'peerjs';")), version: version('peerjs') };
  bundles['trystero joinRoom'] = { ...(await bundled("export { joinRoom } from 'trystero';")), version: version('trystero') };
}

const over = Object.entries(bundles).filter(([, b]) => b.budgetBytes && b.gzipBytes > b.budgetBytes);
for (const [name, b] of Object.entries(bundles)) {
  const kb = (n) => (n / KB).toFixed(1) + ' KB';
  const budget = b.budgetBytes ? `  budget ${kb(b.budgetBytes)}${b.gzipBytes > b.budgetBytes ? '  OVER' : ''}` : '';
  const goal = b.goalBytes ? `  goal ${kb(b.goalBytes)}${b.gzipBytes > b.goalBytes ? ' (not met)' : ' (met)'}` : '';
  process.stderr.write(`${name.padEnd(20)} ${kb(b.minBytes).padStart(9)} min  ${kb(b.gzipBytes).padStart(8)} gzip${budget}${goal}\n`);
}

if (check) {
  if (over.length) {
    console.error(`size: over budget: ${over.map(([n]) => n).join(', ')} (budgets live in bench/size.mjs)`);
    process.exit(1);
  }
  console.log('size: every bundle within budget');
} else {
  report('size', { unit: 'bytes', bundles });
}
