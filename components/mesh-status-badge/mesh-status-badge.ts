import { LitElement, html } from 'lit';
import type { RoomState } from '../../core/index.js';
import type { MeshRoomElement } from '../mesh-room/mesh-room.js';
import { RoomAttachment } from '../shared/room-attachment.js';
import { EN, type MeshStrings } from '../shared/strings.js';
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
 *
 * @slot - Replaces the state label.
 *
 * @csspart base - The pill.
 * @csspart dot - The coloured state dot.
 * @csspart label - The state in words (a polite live region).
 * @csspart details - Peer count and connection figures.
 *
 * @cssprop --mesh-badge-color-connected - Dot colour when connected.
 * @cssprop --mesh-badge-color-reconnecting - Dot colour while connecting or reconnecting.
 * @cssprop --mesh-badge-color-failed - Dot colour when disconnected for good.
 * @cssprop --mesh-color-muted - Dot colour when idle and colour of the details.
 *
 * Custom states for styling: `:state(connected)`, `:state(reconnecting)`, … one per room state.
 */
export class MeshStatusBadgeElement extends LitElement {
  static override styles = styles;
  static override properties = {
    for: { type: String, reflect: true },
    state: { type: String, reflect: true },
    strings: { attribute: false },
  };

  /** Id of the `<mesh-room>` to show. */
  declare for: string;
  /** The observed room's state (read-only). */
  declare state: RoomState;
  /** User-visible strings (English by default). */
  declare strings: MeshStrings;

  private readonly internals: ElementInternals | null;
  private readonly attachment: RoomAttachment;

  constructor() {
    super();
    this.for = '';
    this.state = 'idle';
    this.strings = EN;
    this.internals = typeof this.attachInternals === 'function' ? this.attachInternals() : null;
    const sync = () => this.sync(this.attachment.room);
    this.attachment = new RoomAttachment(this, {
      'mesh-state-change': sync,
      'mesh-peer-join': sync,
      'mesh-peer-leave': sync,
      'mesh-peer-update': sync,
    }, (room) => this.sync(room));
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('for') && changed.get('for') !== undefined) this.attachment.reattach();
    if (changed.has('state')) this.setCustomState(this.state);
  }

  protected override render() {
    const room = this.attachment.room;
    const peers = room?.peers ?? [];
    return html`<span part="base">
      <span part="dot" aria-hidden="true"></span>
      <span part="label" role="status" aria-live="polite"><slot>${this.strings.state[this.state]}</slot></span>
      <span part="details">${room && (this.state === 'connected' || this.state === 'reconnecting') ? this.strings.peers(peers.length) : ''}</span>
    </span>`;
  }

  private sync(room: MeshRoomElement | null): void {
    this.state = room?.state ?? 'idle';
    this.requestUpdate();
  }

  private setCustomState(state: RoomState): void {
    const states = this.internals?.states;
    if (!states) return;
    try {
      for (const s of STATES) states.delete(s);
      states.add(state);
    } catch {
      // Browsers without CustomStateSet: the reflected attribute still works.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mesh-status-badge': MeshStatusBadgeElement;
  }
}
