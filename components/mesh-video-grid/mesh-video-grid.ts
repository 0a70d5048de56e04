import { html, nothing, type TemplateResult } from 'lit';
import type { MediaState, PeerInfo } from '../../core/index.js';
import { RoomBoundElement } from '../shared/room-bound-element.js';
import { styles } from './mesh-video-grid.styles.js';

/**
 * Everyone's video in a grid that re-lays itself for 1–9 tiles: our own preview (muted,
 * mirrored) first, then each peer with its name, microphone and camera state and link quality.
 * A peer without video shows its initial. Attaches like `<mesh-chat>`; `<mesh-room>` shows one
 * by itself when it sends or receives media.
 *
 * @summary The video grid of a mesh room.
 * @tag mesh-video-grid
 *
 * @attr for - Id of the `<mesh-room>` to show (default: the nearest ancestor).
 *
 * @csspart grid - The list of tiles (`data-count` is the number of tiles).
 * @csspart tile - One participant (also `self` on ours); `data-quality` is `good`, `fair` or `poor`; `data-stalled` while its media is frozen.
 * @csspart video - The video element of a tile.
 * @csspart placeholder - The initial shown when there is no video.
 * @csspart caption - Name and indicators at the bottom of a tile.
 * @csspart indicator - A state label in the caption (muted, camera off, quality, frozen media and its repair).
 * @csspart sound-prompt - The button shown when the browser blocks sound until a click.
 *
 * @cssprop --mesh-tile-bg - Background of a tile without video. Default #111418.
 */
export class MeshVideoGridElement extends RoomBoundElement {
  static override styles = styles;
  /** The browser refused to play sound until a click (rendered through requestUpdate). */
  #soundBlocked = false;

  constructor() {
    super();
    const update = () => this.requestUpdate();
    this.roomEvents = { 'mesh-peer-join': update, 'mesh-peer-leave': update, 'mesh-peer-update': update, 'mesh-local-media': update, 'mesh-state-change': update };
  }

  protected override updated(): void {
    // Remote tiles carry sound; a browser may block playing it until the user clicks.
    for (const v of this.renderRoot.querySelectorAll<HTMLVideoElement>('video[data-remote]')) {
      if (v.paused && v.srcObject) {
        v.play().catch((err: DOMException) => {
          if (err?.name === 'NotAllowedError' && !this.#soundBlocked) {
            this.#soundBlocked = true;
            this.requestUpdate();
          }
        });
      }
    }
  }

  protected override render() {
    const room = this.room;
    if (!room) return nothing;
    const core = room.core;
    const tiles: TemplateResult[] = [];
    const local = core?.localMedia;
    if (core && local) tiles.push(this.#tile(core.selfName, local.stream, local.state, null, true));
    for (const p of room.peers) tiles.push(this.#tile(p.name, p.stream, p.media, p, false));
    return html`<ul part="grid" data-count=${tiles.length} aria-label=${this.s.participants}>${tiles}</ul>
      ${this.#soundBlocked ? html`<button part="sound-prompt" type="button" @click=${this.#enableSound}>${this.s.enableSound}</button>` : nothing}`;
  }

  #tile(name: string, stream: MediaStream | null, media: MediaState | null, peer: PeerInfo | null, self: boolean): TemplateResult {
    const s = this.s;
    const video = media ? media.video : !!stream?.getVideoTracks().length;
    const label = self ? `${name} (${s.you})` : name;
    const quality = peer?.quality ?? null;
    const stall = peer?.stall;
    return html`<li part=${self ? 'tile self' : 'tile'} data-quality=${quality ?? 'unknown'} ?data-stalled=${!!stall} ?data-screen=${!!media?.screen}>
      ${stream
        ? html`<video part="video" .srcObject=${stream} .muted=${self} ?data-remote=${!self} autoplay playsinline ?hidden=${!video} aria-label=${label}></video>`
        : nothing}
      <div part="placeholder" ?hidden=${video && !!stream} aria-hidden="true">${initial(name)}</div>
      <div part="caption">
        <span>${label}</span>
        ${media && !media.audio ? html`<span part="indicator">${s.muted}</span>` : nothing}
        ${media && !media.video ? html`<span part="indicator">${s.noVideo}</span>` : nothing}
        ${media?.screen ? html`<span part="indicator">${s.sharing}</span>` : nothing}
        ${quality && quality !== 'good' ? html`<span part="indicator" data-quality=${quality}>${s.quality[quality]}</span>` : nothing}
        ${stall ? html`<span part="indicator" data-stalled=${stall.repair} role="status">${stall.kinds.map((k) => s.stalled[k]).join(', ')}${stall.repair === 'off' ? '' : ` — ${stall.repair === 'failed' ? s.unrepaired : s.repairing}`}</span>` : nothing}
      </div>
    </li>`;
  }

  #enableSound(): void {
    this.#soundBlocked = false;
    this.requestUpdate();
    for (const v of this.renderRoot.querySelectorAll<HTMLVideoElement>('video[data-remote]')) void v.play().catch(() => {});
  }
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}

declare global {
  interface HTMLElementTagNameMap {
    'mesh-video-grid': MeshVideoGridElement;
  }
}
