import { html, type PropertyValues } from 'lit';
import type { PeerInfo, Quality, RoomState } from '../../core/index.js';
import type { MeshRoomApi } from '../shared/room-api.js';
import { RoomBoundElement } from '../shared/room-bound-element.js';
import { styles } from './mesh-status-badge.styles.js';

const STATES: readonly RoomState[] = ['idle', 'connecting', 'connected', 'reconnecting', 'failed', 'closed'];

/**
 * The state of a `<mesh-room>` in words and colour, and how many others are there. Attaches
 * like `<mesh-chat>`. The state is announced politely to screen readers when it changes; the
 * numbers next to it are not.
 *
 * @summary Connection status of a mesh room.
 * @tag mesh-status-badge
 *
 * @attr for - Id of the `<mesh-room>` to show (default: the nearest ancestor).
 * @attr state - Reflects the room state (read-only): `idle` `connecting` `connected` `reconnecting` `failed` `closed`.
 * @attr quality - Reflects the worst peer link (read-only): `good` `fair` `poor`, absent until measured.
 * @attr stalled - Present (read-only) while some peer's audio or video is frozen; the label says which.
 *
 * @slot - Replaces the state label.
 *
 * @csspart base - The pill.
 * @csspart dot - The coloured state dot.
 * @csspart label - The state in words (a polite live region).
 * @csspart details - Peer count and the worst link's RTT, loss and bitrate (not announced).
 *
 * @cssprop --mesh-badge-color-connected - Dot colour when connected.
 * @cssprop --mesh-badge-color-reconnecting - Dot colour while connecting or reconnecting.
 * @cssprop --mesh-badge-color-failed - Dot colour when disconnected for good.
 * @cssprop --mesh-color-muted - Dot colour when idle and colour of the details.
 *
 * Custom states for styling: `:state(connected)`, `:state(reconnecting)`, … one per room state.
 */
export class MeshStatusBadgeElement extends RoomBoundElement {
  static override styles = styles;
  static override properties = {
    state: { type: String, reflect: true },
    quality: { type: String, reflect: true },
  };

  /** The observed room's state (read-only). */
  declare state: RoomState;
  /** Quality of the worst peer link (read-only; null until measured). */
  declare quality: Quality | null;
  readonly #internals: ElementInternals | null;
  constructor() {
    super();
    this.state = 'idle';
    this.quality = null;
    this.#internals = typeof this.attachInternals === 'function' ? this.attachInternals() : null;
    const sync = () => this.roomChanged(this.room);
    this.roomEvents = { 'mesh-state-change': sync, 'mesh-peer-join': sync, 'mesh-peer-leave': sync, 'mesh-peer-update': sync };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('state')) this.#setCustomState(this.state);
  }

  protected override render() {
    const s = this.s;
    const room = this.room;
    const peers = room?.peers ?? [];
    const live = room && (this.state === 'connected' || this.state === 'reconnecting');
    const m = worstPeer(peers)?.metrics;
    const figures = live && m ? s.figures(m.rttMs, m.lossPercent, m.bitrateKbps ?? m.availableOutKbps) : '';
    // Only the state and a bad quality are announced; the figures change every sample and are not.
    const qualityWords = live && this.quality && this.quality !== 'good' ? ` — ${s.quality[this.quality]}` : '';
    const stalled = live ? [...new Set(peers.flatMap((p) => p.stall?.kinds ?? []))].map((k) => ` — ${s.stalled[k]}`).join('') : '';
    return html`<span part="base">
      <span part="dot" aria-hidden="true"></span>
      <span part="label" role="status" aria-live="polite"><slot>${s.state[this.state]}${qualityWords}${stalled}</slot></span>
      <span part="details">${live ? [s.peers(peers.length), figures].filter(Boolean).join(' · ') : ''}</span>
    </span>`;
  }

  protected override roomChanged(room: MeshRoomApi | null): void {
    this.state = room?.state ?? 'idle';
    this.quality = worstPeer(room?.peers ?? [])?.quality ?? null;
    this.toggleAttribute('stalled', !!room?.peers.some((p) => p.stall));
    this.requestUpdate();
  }

  #setCustomState(state: RoomState): void {
    const states = this.#internals?.states;
    if (!states) return;
    try {
      for (const s of STATES) states.delete(s);
      states.add(state);
    } catch {
      // Browsers without CustomStateSet: the reflected attribute still works.
    }
  }
}

const RANK: Record<Quality, number> = { good: 0, fair: 1, poor: 2 };

/** The peer with the worst measured link (worst quality, then highest RTT). */
function worstPeer(peers: PeerInfo[]): PeerInfo | null {
  let worst: PeerInfo | null = null;
  for (const p of peers) {
    if (!p.quality) continue;
    if (!worst || RANK[p.quality] > RANK[worst.quality!] || (p.quality === worst.quality && (p.metrics?.rttMs ?? 0) > (worst.metrics?.rttMs ?? 0))) worst = p;
  }
  return worst;
}

declare global {
  interface HTMLElementTagNameMap {
    'mesh-status-badge': MeshStatusBadgeElement;
  }
}
