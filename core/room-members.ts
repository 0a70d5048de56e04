import { Timer, type Clock } from './clock.js';
import { parseChannelFrame } from './channel-frames.js';
import type { FileTransfers } from './file-transfers.js';
import type { MessageExchange } from './message-exchange.js';
import { PeerLink } from './peer-link.js';
import type { MemberInfo, SignalData } from './protocol.js';
import type { RoomMedia } from './room-media.js';
import type { PeerInfo, RoomOptions } from './room-types.js';

interface Member extends MemberInfo {
  link: PeerLink | null;
}

/** What the member list needs from its room. */
export interface MembersHost {
  readonly selfId: string;
  readonly clock: Clock;
  readonly options: RoomOptions;
  readonly media: RoomMedia;
  readonly exchange: MessageExchange;
  readonly files: FileTransfers;
  /** Peer-connection configuration for a new connection. */
  rtcConfig(): RTCConfiguration;
  /** Sends a signal to one member through the relay; false when it cannot now. */
  signal(to: string, session: string, data: SignalData): boolean;
  joined(peer: PeerInfo): void;
  left(peer: PeerInfo, reason: string): void;
  updated(peer: PeerInfo): void;
}

/**
 * The other members of a room and the {@link PeerLink} to each. A member whose session changes
 * (it left and joined again) gets a fresh link; one missing after a relay restart is kept for the
 * grace period in case it comes back.
 */
export class RoomMembers {
  private readonly members = new Map<string, Member>();
  /** Names of everyone seen, including those who left (for messages in history). */
  readonly names = new Map<string, string>();
  private readonly absent = new Map<string, Timer>();

  constructor(private readonly host: MembersHost) {}

  get size(): number { return this.members.size; }
  has(id: string): boolean { return this.members.has(id); }
  ids(): string[] { return [...this.members.keys()]; }
  session(id: string): string | undefined { return this.members.get(id)?.session; }
  link(id: string): PeerLink | null { return this.members.get(id)?.link ?? null; }
  links(): Array<[string, PeerLink]> { return [...this.members.values()].filter((m) => m.link).map((m) => [m.id, m.link!]); }
  peers(): PeerInfo[] { return [...this.members.values()].map((m) => this.info(m)); }
  peer(id: string): PeerInfo | null { const m = this.members.get(id); return m ? this.info(m) : null; }
  /** True while members missing after a relay restart may still come back. */
  get awaiting(): boolean { return this.absent.size > 0; }

  /** Adds a member, refreshes a known one, or gives it a fresh link (new session, or `rebuild`). */
  upsert(info: MemberInfo, how: { initiate: boolean; rebuild: boolean }): void {
    this.names.set(info.id, info.name);
    this.absent.get(info.id)?.clear();
    this.absent.delete(info.id);
    const existing = this.members.get(info.id);
    if (existing && existing.session === info.session && !how.rebuild) {
      Object.assign(existing, { name: info.name, online: info.online, lastN: info.lastN });
      this.host.updated(this.info(existing));
      return;
    }
    if (existing) {
      existing.link?.close();
      Object.assign(existing, { ...info, link: this.createLink(info, how.initiate) });
      this.host.updated(this.info(existing));
      return;
    }
    const member: Member = { ...info, link: null };
    this.members.set(info.id, member);
    member.link = this.createLink(info, how.initiate);
    this.host.joined(this.info(member));
  }

  /** A member's relay connection went down or came back. */
  setOnline(id: string, online: boolean): void {
    const m = this.members.get(id);
    if (!m) return;
    m.online = online;
    if (online) m.link?.signalingRestored();
    this.host.updated(this.info(m));
  }

  remove(id: string, reason: string): void {
    const m = this.members.get(id);
    if (!m) return;
    this.absent.get(id)?.clear();
    this.absent.delete(id);
    this.members.delete(id);
    m.link?.close();
    m.link = null;
    this.host.media.detach(id);
    this.host.files.detach(id);
    this.host.left(this.info(m), reason);
  }

  /** After a relay restart, keeps a member that is not (yet) back for `graceMs`. */
  awaitReturn(id: string, graceMs: number): void {
    if (this.absent.has(id)) return;
    const timer = new Timer(this.host.clock);
    this.absent.set(id, timer);
    timer.set(graceMs, () => this.remove(id, 'timeout'));
  }

  /** Closes every link and forgets every member (the room left). */
  clear(): void {
    for (const t of this.absent.values()) t.clear();
    this.absent.clear();
    const gone = [...this.members.values()];
    this.members.clear();
    for (const m of gone) {
      m.link?.close();
      this.host.media.detach(m.id);
      this.host.files.detach(m.id);
      this.host.left(this.info(m), 'leave');
    }
  }

  private createLink(info: MemberInfo, initiate: boolean): PeerLink {
    const o = this.host.options;
    const link = new PeerLink({
      selfId: this.host.selfId,
      remoteId: info.id,
      initiate,
      signal: (data) => this.host.signal(info.id, this.members.get(info.id)?.session ?? info.session, data),
      rtcConfig: () => this.host.rtcConfig(),
      RTCPeerConnection: o.RTCPeerConnection,
      clock: this.host.clock,
      random: o.random,
      tuning: o.link,
      localMedia: this.host.media.local,
    });
    const current = () => this.members.get(info.id)?.link === link;
    link.addEventListener('state-change', () => {
      const m = this.members.get(info.id);
      if (m && current()) this.host.updated(this.info(m));
    });
    link.addEventListener('message', (e) => {
      const frame = parseChannelFrame(e.detail);
      if (!frame || !current()) return;
      if (frame.t === 'media') this.host.media.remoteState(info.id, { audio: frame.audio, video: frame.video, screen: frame.screen }, frame.recording);
      else this.host.exchange.fromChannel(info.id, frame);
    });
    this.host.media.attach(info.id, link);
    this.host.files.attach(info.id, link);
    link.start();
    return link;
  }

  private info(m: Member): PeerInfo {
    return { id: m.id, name: m.name, state: m.link?.state ?? 'closed', online: m.online, ...this.host.media.of(m.id) };
  }
}
