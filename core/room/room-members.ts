import { Timer, type Clock } from '../base/clock.js';
import { parseChannelFrame } from '../delivery/channel-frames.js';
import type { FileTransfers } from '../files/file-transfers.js';
import type { ExchangeHost, MessageExchange } from '../delivery/message-exchange.js';
import { PeerLink } from '../link/peer-link.js';
import type { ChannelFrame } from '../delivery/channel-frames.js';
import type { MemberInfo, ServerFrame, SignalData } from '../protocol.js';
import type { RoomMedia } from '../media/room-media.js';
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
  readonly #members = new Map<string, Member>();
  /** Names of everyone seen, including those who left (for messages in history). */
  readonly names = new Map<string, string>();
  readonly #absent = new Map<string, Timer>();

  readonly #host: MembersHost;
  constructor(host: MembersHost) {
    this.#host = host;
  }

  get size(): number { return this.#members.size; }
  has(id: string): boolean { return this.#members.has(id); }
  ids(): string[] { return [...this.#members.keys()]; }
  session(id: string): string | undefined { return this.#members.get(id)?.session; }
  link(id: string): PeerLink | null { return this.#members.get(id)?.link ?? null; }
  links(): Array<[string, PeerLink]> { return [...this.#members.values()].filter((m) => m.link).map((m) => [m.id, m.link!]); }
  peers(): PeerInfo[] { return [...this.#members.values()].map((m) => this.#info(m)); }
  peer(id: string): PeerInfo | null { const m = this.#members.get(id); return m ? this.#info(m) : null; }
  /** True while members missing after a relay restart may still come back. */
  get awaiting(): boolean { return this.#absent.size > 0; }

  /** Adds a member, refreshes a known one, or gives it a fresh link (new session, or `rebuild`). */
  upsert(info: MemberInfo, how: { initiate: boolean; rebuild: boolean }): void {
    this.names.set(info.id, info.name);
    this.#absent.get(info.id)?.clear();
    this.#absent.delete(info.id);
    const existing = this.#members.get(info.id);
    if (existing && existing.session === info.session && !how.rebuild) {
      Object.assign(existing, { name: info.name, online: info.online, lastN: info.lastN });
      this.#host.updated(this.#info(existing));
      return;
    }
    if (existing) {
      existing.link?.close();
      Object.assign(existing, { ...info, link: this.#createLink(info, how.initiate) });
      this.#host.updated(this.#info(existing));
      return;
    }
    const member: Member = { ...info, link: null };
    this.#members.set(info.id, member);
    member.link = this.#createLink(info, how.initiate);
    this.#host.joined(this.#info(member));
  }

  /** Sends on the peer's data channel if it is open now; false otherwise. */
  sendDirect(id: string, frame: ChannelFrame): boolean {
    const link = this.link(id);
    if (!link?.channelOpen) return false;
    link.send(frame);
    return true;
  }

  /** Queues a frame on every peer's data channel. */
  broadcast(frame: ChannelFrame, droppable: boolean): void {
    for (const [, link] of this.links()) link.send(frame, droppable);
  }

  /** True when the link to `id` was down (or missing) at some point since clock time `t`. */
  linkWasDownSince(id: string, t: number): boolean {
    const link = this.link(id);
    return !link || link.state !== 'connected' || link.lastDownAt >= t;
  }

  /**
   * Applies a membership or signaling frame from the relay; `session` is ours (signals for an
   * older session of ours, or from an older session of theirs, are dropped).
   */
  fromRelay(f: ServerFrame, session: string): void {
    switch (f.type) {
      case 'peer-joined':
        if (f.member.id === this.#host.selfId) return;
        this.upsert(f.member, { initiate: false, rebuild: false });
        this.#host.exchange.memberKnown(f.member.id, f.member.baseN, f.member.lastN, false);
        return;
      case 'peer-left':
        if (this.session(f.id) === f.session) this.remove(f.id, f.reason);
        return;
      case 'peer-status':
        this.setOnline(f.id, f.online);
        return;
      case 'signal':
        if (f.toSession !== session || this.session(f.from) !== f.fromSession) return;
        if (f.data.kind === 'repair-request' || f.data.kind === 'repair-reply') this.#host.exchange.fromRelaySignal(f.from, f.data);
        else this.link(f.from)?.handleSignal(f.data);
        return;
      default:
        return;
    }
  }

  /**
   * Takes the member list of a welcome (`fresh`: our first one). Members the relay no longer lists
   * are gone, except after a relay restart (`epochChanged`), when they get `graceMs` to return.
   */
  reconcile(listed: MemberInfo[], how: { fresh: boolean; resumed: boolean; epochChanged: boolean; graceMs: number }): void {
    // The relay dropped us (grace expired) while keeping its memory: the others closed their
    // links to us, so ours are dead too. After a relay restart, nobody was told anything: keep them.
    const rebuild = !how.fresh && !how.resumed && !how.epochChanged;
    for (const info of listed) {
      this.upsert(info, { initiate: true, rebuild });
      this.#host.exchange.memberKnown(info.id, info.baseN, info.lastN, how.fresh);
    }
    const ids = new Set(listed.map((m) => m.id));
    for (const id of this.ids()) {
      if (ids.has(id)) continue;
      if (how.epochChanged) this.awaitReturn(id, how.graceMs);
      else this.remove(id, 'leave');
    }
  }

  /** A member's relay connection went down or came back. */
  setOnline(id: string, online: boolean): void {
    const m = this.#members.get(id);
    if (!m) return;
    m.online = online;
    if (online) m.link?.signalingRestored();
    this.#host.updated(this.#info(m));
  }

  remove(id: string, reason: string): void {
    const m = this.#members.get(id);
    if (!m) return;
    this.#absent.get(id)?.clear();
    this.#absent.delete(id);
    this.#members.delete(id);
    m.link?.close();
    m.link = null;
    this.#host.media.detach(id);
    this.#host.files.detach(id);
    this.#host.left(this.#info(m), reason);
  }

  /** After a relay restart, keeps a member that is not (yet) back for `graceMs`. */
  awaitReturn(id: string, graceMs: number): void {
    if (this.#absent.has(id)) return;
    const timer = new Timer(this.#host.clock);
    this.#absent.set(id, timer);
    timer.set(graceMs, () => this.remove(id, 'timeout'));
  }

  /** Closes every link and forgets every member (the room left). */
  clear(): void {
    for (const t of this.#absent.values()) t.clear();
    this.#absent.clear();
    const gone = [...this.#members.values()];
    this.#members.clear();
    for (const m of gone) {
      m.link?.close();
      this.#host.media.detach(m.id);
      this.#host.files.detach(m.id);
      this.#host.left(this.#info(m), 'leave');
    }
  }

  #createLink(info: MemberInfo, initiate: boolean): PeerLink {
    const o = this.#host.options;
    const link = new PeerLink({
      selfId: this.#host.selfId,
      remoteId: info.id,
      initiate,
      signal: (data) => this.#host.signal(info.id, this.#members.get(info.id)?.session ?? info.session, data),
      rtcConfig: () => this.#host.rtcConfig(),
      RTCPeerConnection: o.RTCPeerConnection,
      clock: this.#host.clock,
      random: o.random,
      tuning: o.link,
      localMedia: this.#host.media.local,
    });
    const current = () => this.#members.get(info.id)?.link === link;
    link.addEventListener('state-change', () => {
      const m = this.#members.get(info.id);
      if (m && current()) this.#host.updated(this.#info(m));
    });
    link.addEventListener('message', (e) => {
      const frame = parseChannelFrame(e.detail);
      if (!frame || !current()) return;
      if (frame.t === 'media') this.#host.media.remoteState(info.id, { audio: frame.audio, video: frame.video, screen: frame.screen }, frame.recording);
      else this.#host.exchange.fromChannel(info.id, frame);
    });
    this.#host.media.attach(info.id, link);
    this.#host.files.attach(info.id, link);
    link.start();
    return link;
  }

  #info(m: Member): PeerInfo {
    return { id: m.id, name: m.name, state: m.link?.state ?? 'closed', online: m.online, ...this.#host.media.of(m.id) };
  }
}

/** What a room's {@link MessageExchange} asks of the members and their links. */
export function exchangeMemberSide(members: () => RoomMembers): Pick<ExchangeHost, 'nameOf' | 'isMember' | 'sendDirect' | 'broadcastDirect' | 'linkWasDownSince' | 'awaitingMembers'> {
  return {
    nameOf: (id) => members().names.get(id) ?? id.slice(0, 8),
    isMember: (id) => members().has(id),
    sendDirect: (id, frame) => members().sendDirect(id, frame),
    broadcastDirect: (frame, droppable) => members().broadcast(frame, droppable),
    linkWasDownSince: (id, t) => members().linkWasDownSince(id, t),
    awaitingMembers: () => members().awaiting,
  };
}
