// The long soak of the relay's model-based test (test/relay/room-model.test.ts runs 300
// sequences per backend; this runs as many as fit in the time budget, longer sequences (up to 30 operations), more
// faults): reports how many random sequences passed on each backend, and the first failure.
// Usage: node bench/room-model.mjs [seconds per backend, default 300]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureLoopbackNamespace, report } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.argv[2] ?? 300);
const r = spawnSync(process.execPath, ['--import', './test/helpers/ts-loader.mjs', 'test/relay/model/soak.ts', String(seconds)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: (seconds * 2 + 120) * 1000 });
const line = r.stdout.trim().split('\n').pop() ?? '';
let results;
try {
  results = JSON.parse(line);
} catch {
  process.stderr.write(`room-model soak printed no result (exit ${r.status}):\n${r.stderr.slice(-4000)}\n`);
  process.exit(1);
}
report('room-model', { secondsPerBackend: seconds, maxCommandsPerSequence: 30, ...results });
process.exit(r.status ?? 1);
