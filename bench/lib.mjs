// Shared helpers of the benchmarks. Every benchmark runs inside a network namespace with only
// `lo` (re-executing itself under `unshare -n` when needed), so its traffic stays on 127.0.0.1.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

register('../test/helpers/ts-loader-hooks.mjs', import.meta.url);
const { faultInjectionRefusal } = await import('../test/helpers/netns-guard.ts');

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Re-runs the calling script inside `unshare -n` with lo up, unless already there. */
export function ensureLoopbackNamespace(scriptUrl) {
  if (process.env.MESH_NETNS === '1') return;
  const probe = spawnSync('unshare', ['-n', 'true']);
  if (probe.status !== 0) {
    process.stderr.write('bench: network namespaces unavailable; running on the host loopback\n');
    return;
  }
  const script = fileURLToPath(scriptUrl);
  const args = process.argv.slice(2).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && MESH_NETNS=1 MESH_TEST_NETNS=$(readlink /proc/self/ns/net) exec "${process.execPath}" "${script}" ${args}`], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** True when this benchmark runs in the loopback-only namespace it made (not on the host). */
export function inOwnNamespace() {
  return process.env.MESH_NETNS === '1' && faultInjectionRefusal() === null;
}

/**
 * nft rules in the benchmark's own namespace, and nowhere else: refuses on the host (where a
 * dropped UDP packet is somebody's call). The table is removed by `close()` and on exit.
 */
export function benchNft(table = 'bench') {
  const refusal = faultInjectionRefusal();
  if (refusal) throw new Error(`bench: refusing to inject network faults: ${refusal}`);
  const nft = (cmd) => execFileSync('nft', [cmd], { stdio: 'pipe' });
  const remove = () => { try { nft(`delete table inet ${table}`); } catch { /* not there */ } };
  remove();
  nft(`add table inet ${table}`);
  nft(`add chain inet ${table} out { type filter hook output priority 0 ; }`);
  process.on('exit', remove);
  return {
    rule: (r) => nft(`add rule inet ${table} out ${r}`),
    heal: () => nft(`flush chain inet ${table} out`),
    close: remove,
  };
}

/** Starts the built relay on a free loopback port. */
export async function startRelay(args = []) {
  const nodeArgs = process.env.BENCH_RELAY_NODE_ARGS ? process.env.BENCH_RELAY_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, `${ROOT}/dist/relay/main.js`, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', '--static', `/dist=${ROOT}/dist`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not start:\n' + out)), 10_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.stderr.on('data', (c) => { out += c; });
    child.once('exit', (code) => reject(new Error(`relay exited (${code}):\n${out}`)));
  });
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    child,
    kill: (signal = 'SIGTERM') => new Promise((resolve) => { child.once('exit', resolve); child.kill(signal); }),
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-gpu', '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const round = (x, d = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/** The machine the figures come from. */
export function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memGiB: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

/** Prints the result as JSON and keeps a copy in bench/results/<name>.json. */
export function report(name, result) {
  const out = { bench: name, at: new Date().toISOString(), machine: machine(), netns: inOwnNamespace(), ...result };
  mkdirSync(`${ROOT}/bench/results`, { recursive: true });
  writeFileSync(`${ROOT}/bench/results/${name}.json`, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return out;
}
