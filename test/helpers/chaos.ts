import { execFileSync } from 'node:child_process';
import { faultInjectionRefusal } from './netns-guard.js';

const TABLE = 'inet chaos';
/** Instances with rules in place, removed on every way out of the process. */
const active = new Set<Chaos>();
let exitHooks = false;

function removeTable(): void {
  try {
    execFileSync('nft', [`delete table ${TABLE}`], { stdio: 'ignore' });
  } catch {
    // Not there: nothing to remove.
  }
}

/** The table goes when the process ends: normally, by an uncaught error, or by SIGINT/SIGTERM/SIGHUP. */
function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  process.on('exit', () => { if (active.size > 0) removeTable(); });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      if (active.size > 0) removeTable();
      process.kill(process.pid, signal); // the default action now that this handler is gone
    });
  }
}

/**
 * Network faults with nftables, inside the test's own network namespace and never the host's:
 * drop all UDP (every peer-to-peer path) or a fraction of it, or black-hole one TCP port without
 * closing its sockets. It refuses to do anything unless this process runs in the namespace the
 * test run made (see {@link faultInjectionRefusal}), and its table is removed by `close()`, when
 * the process exits or is signalled, and — should all of that fail (SIGKILL) — with the namespace
 * itself, which dies with the run. A table left by a killed earlier test file is removed first.
 */
export class Chaos {
  private active = false;

  /** True when faults can be injected here: inside the test run's own namespace, with nft working. */
  static available(): boolean {
    if (faultInjectionRefusal() !== null) return false;
    try {
      execFileSync('nft', ['list', 'tables'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Why {@link available} is false (for assertion messages), or null. */
  static refusal(): string | null {
    return faultInjectionRefusal() ?? (Chaos.available() ? null : 'nft does not work here (root and nftables needed)');
  }

  /** Drops every outgoing UDP packet: ICE loses all its paths. */
  dropUdp(): void {
    this.ensure();
    this.nft('add rule inet chaos out meta l4proto udp drop');
  }

  /** Drops `percent` % of UDP packets at random (each packet on its own): a lossy link, not a dead one. */
  dropUdpFraction(percent: number): void {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`percent must be 0–100, got ${percent}`);
    this.ensure();
    this.nft(`add rule inet chaos out meta l4proto udp numgen random mod 100 < ${percent} drop`);
  }

  /** Drops `percent` % of UDP packets sent to `port` (one peer connection's local port): one lossy path among healthy ones. */
  dropUdpFractionTo(port: number, percent: number): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad port ${port}`);
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`percent must be 0–100, got ${percent}`);
    this.ensure();
    this.nft(`add rule inet chaos out udp dport ${port} numgen random mod 100 < ${percent} drop`);
  }

  /** Drops TCP to and from `port`: the relay goes silent, sockets stay open (half-open). */
  blackholeTcp(port: number): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad port ${port}`);
    this.ensure();
    this.nft(`add rule inet chaos out tcp dport ${port} drop`);
    this.nft(`add rule inet chaos out tcp sport ${port} drop`);
  }

  /** Removes every rule: the network is whole again. */
  heal(): void {
    if (this.active) this.nft('flush table inet chaos');
  }

  /** Heals and removes the table. Idempotent. */
  close(): void {
    if (!this.active) return;
    this.active = false;
    active.delete(this);
    removeTable();
  }

  private ensure(): void {
    if (this.active) return;
    const refusal = faultInjectionRefusal();
    if (refusal) throw new Error(`refusing to inject network faults: ${refusal}`);
    installExitHooks();
    removeTable(); // left by a test file that was killed
    this.nft(`add table ${TABLE}`);
    this.nft('add chain inet chaos out { type filter hook output priority 0 ; }');
    this.active = true;
    active.add(this);
  }

  private nft(cmd: string): void {
    execFileSync('nft', [cmd], { stdio: 'pipe' });
  }
}
