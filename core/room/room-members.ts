import { Timer, type Clock } from '../base/clock.js';
import { parseChannelFrame, type ChannelFrame } from '../delivery/channel-frames.js';
import type { DirectPath, MemberDirectory } from '../delivery/ports.js';
import { PeerFrameLimit, type FrameRate } from '../delivery/peer-frame-limit.js';
import { PeerLink, type LinkTracks } from '../link/peer-link.js';
import type { MemberInfo, SignalData } from '../protocol.js';
import type { PeerExtras } from './peer-state.js';
import type { PeerInfo, RoomOptions } from './room-types.js';

interface Member extends MemberInfo {
  link: PeerLink | null;
  /** What this member may send us directly (a fresh one with each link). */
  limit: PeerFrameLimit | null;
}

/** What the member list needs from its room. */
export interface MembersHost {
  readonly selfId: string;
  readonly clock: Clock;
  readonly options: RoomOptions;
  /** Peer-connection configuration for a new connection. */
  rtcConfig(): RTCConfiguration;
  /** The media feature's sending side for a new connection (null without media). */
  tracks(pc: RTCPeerConnection): LinkTracks | null;
  /** Sends a signal to one member through the relay; false when it cannot now. */
  signal(to: string, session: string, data: SignalData): boolean;
  /** A new link to `id`, to be wired to the room's parts (before it starts). */
  linked(id: string, link: PeerLink): void;
  /** How many direct frames, and repair requests among them, a member may send us. */
  peerRates(): { frames: FrameRate; repairs: FrameRate };
  /** A valid frame arrived on the link to `id`. */
  frame(id: string, frame: ChannelFrame): void;
  /** What else the room knows of `id` (media, stream, health). */
  extras(id: string): PeerExtras & Pick<PeerInfo, 'transport'>;
  joined(peer: PeerInfo): void;
  left(peer: PeerInfo, reason: string): void;
  updated(peer: PeerInfo): void;
}

/**
 * The other members of a room and the {@link PeerLink} to each. A member whose session changes
 * (it left and joined again) gets a fresh link; one missing after a relay restart is kept for the
 * grace period in case it comes back.
 */
export class RoomMembers implements DirectPath, MemberDirectory {
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
  nameOf(id: string): string { return this.names.get(id) ?? id.slice(0, 8); }
  session(id: string): string | undefined { return this.#members.get(id)?.session; }
  link(id: string): PeerLink | null { return this.#members.get(id)?.link ?? null; }
  /** Frames admitted and refused from a member's data channel (diagnostics). */
  frameLimit(id: string): PeerFrameLimit | null { return this.#members.get(id)?.limit ?? null; }
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
      Object.assign(existing, { ...info, ...this.#createLink(info, how.initiate) });
      this.#host.updated(this.#info(existing));
      return;
    }
    const member: Member = { ...info, link: null, limit: null };
    this.#members.set(info.id, member);
    Object.assign(member, this.#createLink(info, how.initiate));
    this.#host.joined(this.#info(member));
  }

  /** Sends on the peer's data channel if it is open now; false otherwise. */
  send(id: string, frame: ChannelFrame): boolean {
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
  wasDownSince(id: string, t: number): boolean {
    const link = this.link(id);
    return !link || link.state !== 'connected' || link.lastDownAt >= t;
  }

  /**
   * Takes the member list of a welcome (`fresh`: our first one). Members the relay no longer lists
   * are gone, except after a relay restart (`epochChanged`), when they get `graceMs` to return.
   */
  reconcile(listed: MemberInfo[], how: { fresh: boolean; resumed: boolean; epochChanged: boolean; graceMs: number }): void {
    // The relay dropped us (grace expired) while keeping its memory: the others closed their
    // links to us, so ours are dead too. After a relay restart, nobody was told anything: keep them.
    const rebuild = !how.fresh && !how.resumed && !how.epochChanged;
    for (const info of listed) this.upsert(info, { initiate: true, rebuild });
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
      this.#host.left(this.#info(m), 'leave');
    }
  }

  #createLink(info: MemberInfo, initiate: boolean): { link: PeerLink; limit: PeerFrameLimit } {
    const o = this.#host.options;
    const rates = this.#host.peerRates();
    const limit = new PeerFrameLimit(() => this.#host.clock.now(), rates.frames, rates.repairs);
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
      tracks: (pc) => this.#host.tracks(pc),
    });
    const current = () => this.#members.get(info.id)?.link === link;
    link.addEventListener('state-change', () => {
      const m = this.#members.get(info.id);
      if (m && current()) this.#host.updated(this.#info(m));
    });
    link.addEventListener('message', (e) => {
      // A peer is another user's browser: beyond its rate, frames are dropped before any work.
      const t = (e.detail as { t?: unknown } | null)?.t;
      if (!limit.admit(typeof t === 'string' ? t : null)) return;
      const frame = parseChannelFrame(e.detail);
      if (frame && current()) this.#host.frame(info.id, frame);
    });
    this.#host.linked(info.id, link);
    link.start();
    return { link, limit };
  }

  #info(m: Member): PeerInfo {
    return { id: m.id, name: m.name, state: m.link?.state ?? 'closed', online: m.online, ...this.#host.extras(m.id) };
  }
}
