import { execFileSync } from 'node:child_process';

/**
 * Network faults with nftables, inside the test's own network namespace (never the host's):
 * drop all UDP (every peer-to-peer path), or black-hole one TCP port without closing its sockets.
 */
export class Chaos {
  private active = false;

  /** True when nft works here (root, in a namespace, nftables installed). */
  static available(): boolean {
    try {
      execFileSync('nft', ['list', 'tables'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Drops every outgoing UDP packet: ICE loses all its paths. */
  dropUdp(): void {
    this.ensure();
    this.nft('add rule inet chaos out meta l4proto udp drop');
  }

  /** Drops TCP to and from `port`: the relay goes silent, sockets stay open (half-open). */
  blackholeTcp(port: number): void {
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
    this.nft('delete table inet chaos');
    this.active = false;
  }

  private ensure(): void {
    if (this.active) return;
    this.nft('add table inet chaos');
    this.nft("add chain inet chaos out { type filter hook output priority 0 ; }");
    this.active = true;
  }

  private nft(cmd: string): void {
    execFileSync('nft', [cmd], { stdio: 'pipe' });
  }
}
