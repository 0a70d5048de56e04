import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Chaos } from '../helpers/chaos.js';
import { currentNamespace, faultInjectionRefusal } from '../helpers/netns-guard.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOADER = ['--import', './test/helpers/ts-loader.mjs'];
const chaosTable = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).includes('inet chaos');

/** A child node process that uses Chaos (`script` runs after `const chaos = new Chaos()`). */
function child(script: string, wrap: (argv: string[]) => string[] = (a) => a) {
  const code = `import { Chaos } from './test/helpers/chaos.ts'; const chaos = new Chaos(); ${script}`;
  const argv = wrap([process.execPath, ...LOADER, '--input-type=module', '-e', code]);
  return spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}
const ended = (c: ReturnType<typeof child>) => new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
  let out = '';
  c.stdout!.on('data', (d) => { out += d; });
  c.stderr!.on('data', (d) => { out += d; });
  c.once('exit', (code, signal) => resolve({ code, signal, out }));
});

// npm test runs this inside the namespace test/run-inside.sh made (MESH_TEST_NETNS); by hand:
// unshare -n bash -c 'ip link set lo up; MESH_TEST_NETNS=$(readlink /proc/self/ns/net) node …'
describe('fault injection stays in the test namespace', () => {
  it('works here, in the namespace the run made, and the table is gone after close()', () => {
    assert.equal(faultInjectionRefusal(), null, 'npm test runs the node tests inside its own namespace');
    const chaos = new Chaos();
    chaos.dropUdpFraction(5);
    assert.ok(chaosTable());
    chaos.close();
    chaos.close();
    assert.ok(!chaosTable());
  });

  it('refuses without the run\'s namespace marker, or with another namespace\'s', () => {
    assert.match(faultInjectionRefusal({}) ?? '', /MESH_TEST_NETNS is not set/);
    assert.match(faultInjectionRefusal({ MESH_TEST_NETNS: 'net:[1]' }) ?? '', /not in the test run's namespace/);
    assert.equal(faultInjectionRefusal({ MESH_TEST_NETNS: currentNamespace() }), null);
  });

  it('refuses in a namespace with an interface the tests did not make (as on a host with eth0), and changes nothing', async () => {
    // A nested namespace that looks like a host: lo and an "eth0"; the marker is the parent's, and even with its own it refuses.
    const r = await ended(child(`process.env.MESH_TEST_NETNS = (await import('node:fs')).readlinkSync('/proc/self/ns/net'); try { chaos.dropUdp(); console.log('INJECTED'); } catch (e) { console.log(e.message); }`,
      (argv) => ['unshare', '-n', 'bash', '-c', `ip link add eth0 type veth peer name eth1 && ip link set lo up && exec "$@"`, 'sh', ...argv]));
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /INJECTED/);
    assert.match(r.out, /refusing to inject network faults: .*interfaces the tests did not make \((eth0, eth1|eth1, eth0)\)/);
    assert.ok(!chaosTable());
  });

  it('refuses in a namespace other than the run\'s, even one with only lo', async () => {
    const r = await ended(child(`try { chaos.dropUdp(); console.log('INJECTED'); } catch (e) { console.log(e.message); }`,
      (argv) => ['unshare', '-n', 'bash', '-c', 'ip link set lo up && exec "$@"', 'sh', ...argv]));
    assert.doesNotMatch(r.out, /INJECTED/);
    assert.match(r.out, /not in the test run's namespace/);
  });

  for (const [how, script, signal] of [
    ['exits without close()', `chaos.dropUdp(); process.exit(0);`, null],
    ['throws', `chaos.dropUdp(); setTimeout(() => { throw new Error('crash'); }, 10);`, null],
    ['gets SIGTERM', `chaos.dropUdp(); console.log('READY'); setInterval(() => {}, 1000);`, 'SIGTERM'],
    ['gets SIGINT', `chaos.dropUdp(); console.log('READY'); setInterval(() => {}, 1000);`, 'SIGINT'],
  ] as const) {
    it(`removes its table when the process ${how}`, async () => {
      const c = child(script);
      const done = ended(c);
      if (signal) {
        await new Promise<void>((resolve) => c.stdout!.on('data', (d) => { if (String(d).includes('READY')) resolve(); }));
        assert.ok(chaosTable(), 'the rule is in place while the process runs');
        c.kill(signal);
      }
      const r = await done;
      if (signal) assert.equal(r.signal, signal, 'it still ends by the signal');
      assert.ok(!chaosTable(), `the chaos table is gone: ${r.out}`);
    });
  }

  it('a table left by a killed process (SIGKILL: no handler runs) is removed by the next user before it adds its own', () => {
    execFileSync('nft', ['add table inet chaos']);
    execFileSync('nft', ['add chain inet chaos out { type filter hook output priority 0 ; }']);
    execFileSync('nft', ['add rule inet chaos out meta l4proto udp drop']);
    const chaos = new Chaos();
    chaos.blackholeTcp(9);
    const rules = execFileSync('nft', ['list table inet chaos'], { encoding: 'utf8' });
    chaos.close();
    assert.doesNotMatch(rules, /udp drop/, 'the stale UDP drop is gone');
    assert.match(rules, /tcp dport 9 drop/);
    assert.equal(spawnSync('nft', ['list', 'table', 'inet', 'chaos']).status, 1, 'no table afterwards');
  });
});
