import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Interfaces a test namespace may have: `lo`, and the veth pair tests add for Firefox and Janus
 * (../shared/TESTING.md). Anything else (eth0, wlan0, docker0, …) means this is not our namespace.
 */
export const TEST_INTERFACES: ReadonlySet<string> = new Set(['lo', 'v0', 'v1', 'mesh-v0', 'mesh-v1']);

/** The network interfaces this process sees (its own namespace's, unlike /sys/class/net). */
export function interfaces(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2)
    .map((l) => l.split(':')[0].trim()).filter(Boolean);
}

/** The network namespace of this process, e.g. `net:[4026532244]`. */
export function currentNamespace(): string {
  return readlinkSync('/proc/self/ns/net');
}

/**
 * Why faults must not be injected here, or null when this process is inside the namespace the
 * test run made: the namespace test/run-inside.sh (or bench/lib.mjs) recorded in
 * `MESH_TEST_NETNS`, with no interface but `lo` and the tests' own veth. On the host — where a
 * dropped UDP packet is somebody's call — both checks fail.
 */
export function faultInjectionRefusal(env: NodeJS.ProcessEnv = process.env): string | null {
  let ns: string;
  let ifaces: string[];
  try {
    ns = currentNamespace();
    ifaces = interfaces();
  } catch (err) {
    return `cannot tell which network namespace this is (${(err as Error).message})`;
  }
  const foreign = ifaces.filter((i) => !TEST_INTERFACES.has(i));
  if (foreign.length > 0) return `this network namespace has interfaces the tests did not make (${foreign.join(', ')}): it is not the test's own namespace`;
  if (!env.MESH_TEST_NETNS) return 'MESH_TEST_NETNS is not set: not run inside the namespace test/run-inside.sh makes';
  if (env.MESH_TEST_NETNS !== ns) return `this process is in ${ns}, not in the test run's namespace ${env.MESH_TEST_NETNS}`;
  return null;
}
