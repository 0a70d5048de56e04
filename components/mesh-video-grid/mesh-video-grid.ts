import { html, nothing, type TemplateResult } from 'lit';
import type { MediaState, PeerInfo } from '../../core/index.js';
import { RoomBoundElement } from '../shared/room-bound-element.js';
import { styles } from './mesh-video-grid.styles.js';

/**
 * Audio level (0–1, linear from the packets' dBov, held at its peaks) above which a member counts
 * as speaking: 0.03 is about −30 dBov; speech into a browser's microphone (with its noise
 * suppression) sits around −20 to −30 dBov, a quiet room well below.
 */
const SPEAKING = 0.03;
/** How often the grid reads the levels, ms; each read lets a held peak fall by a sixth. */
const LISTEN_MS = 100;
/** A new speaker must lead this many reads in a row (0.8 s): a cough does not move the grid. */
const LEAD_READS = 8;

/**
 * Everyone's video in a grid that re-lays itself for 1–9 tiles: our own preview (muted,
 * mirrored) first, then the member speaking now (promoted, marked "speaking"), then the others,
 * each with its name, microphone and camera state and link quality. A peer without video shows
 * its initial. More members than `max-tiles` are shown a page at a time (a pager below the grid);
 * in SFU mode the members not shown get the SFU's lowest layer. Attaches like `<mesh-chat>`;
 * `<mesh-room>` shows one by itself when it sends or receives media.
 *
 * @summary The video grid of a mesh room.
 * @tag mesh-video-grid
 *
 * @attr for - Id of the `<mesh-room>` to show (default: the nearest ancestor).
 * @attr max-tiles - Tiles shown at once, ours included (the speaker is always among them). Default 9.
 *
 * @csspart grid - The list of tiles (`data-count` is the number of tiles).
 * @csspart tile - One participant (also `self` on ours, `speaking` on the active speaker's); `data-quality` is `good`, `fair` or `poor`; `data-stalled` while its media is frozen.
 * @csspart video - The video element of a tile.
 * @csspart placeholder - The initial shown when there is no video.
 * @csspart caption - Name and indicators at the bottom of a tile.
 * @csspart indicator - A state label in the caption (muted, camera off, quality, frozen media and its repair).
 * @csspart sound-prompt - The button shown when the browser blocks sound until a click.
 * @csspart pager - Below the grid when there are more members than tiles: previous, "k of n", next.
 * @csspart page-button - The pager's previous and next buttons.
 *
 * @cssprop --mesh-tile-bg - Background of a tile without video. Default #111418.
 */
export class MeshVideoGridElement extends RoomBoundElement {
  static override styles = styles;
  static override properties = { maxTiles: { type: Number, attribute: 'max-tiles' } };
  /** Tiles shown at once, ours included. */
  declare maxTiles: number;
  /** The browser refused to play sound until a click (rendered through requestUpdate). */
  #soundBlocked = false;
  /** The page of members shown, the active speaker, and who led the last listen (with how often in a row). */
  #page = 0;
  #speaker: string | null = null;
  #leading: { id: string; times: number } | null = null;
  /** Each member's audio level, held at its peaks (speech comes in syllables, the level per packet). */
  readonly #levels = new Map<string, number>();
  #listening: ReturnType<typeof setInterval> | null = null;
  /** The members on screen (and their tiles' widths) as last told to the room ('' for none told). */
  #shown = '';

  constructor() {
    super();
    this.maxTiles = 9;
    const update = () => this.requestUpdate();
    this.roomEvents = { 'mesh-peer-join': update, 'mesh-peer-leave': update, 'mesh-peer-update': update, 'mesh-local-media': update, 'mesh-state-change': update };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listening = setInterval(() => this.#listen(), LISTEN_MS);
  }

  override disconnectedCallback(): void {
    // Members this grid hid get their link's layer again.
    if (this.#shown) this.room?.core?.showPeers(null);
    this.#shown = '';
    super.disconnectedCallback();
    if (this.#listening !== null) clearInterval(this.#listening);
    this.#listening = null;
  }

  /** Finds who speaks: the loudest member above {@link SPEAKING}, once it led {@link LEAD_READS} reads in a row. */
  #listen(): void {
    const core = this.room?.core;
    if (!core || core.peers.length < 2) return;
    let loudest: string | null = null;
    let level = SPEAKING;
    for (const id of this.#levels.keys()) if (!core.peers.some((p) => p.id === id)) this.#levels.delete(id);
    for (const p of core.peers) {
      const l = Math.max(core.audioLevel(p.id), (this.#levels.get(p.id) ?? 0) * (5 / 6));
      this.#levels.set(p.id, l);
      if (l > level) [loudest, level] = [p.id, l];
    }
    if (loudest === null || loudest === this.#speaker) {
      this.#leading = null;
      return;
    }
    this.#leading = this.#leading?.id === loudest ? { id: loudest, times: this.#leading.times + 1 } : { id: loudest, times: 1 };
    if (this.#leading.times < LEAD_READS) return;
    this.#speaker = loudest;
    this.#leading = null;
    this.requestUpdate();
  }

  protected override updated(): void {
    // The members on screen and their tiles' widths: in SFU mode the others get the lowest layer,
    // and each shown one the smallest layer that fills its tile.
    const tiles: Record<string, number> = {};
    const rendered = this.renderRoot.querySelectorAll<HTMLElement>('[part~="tile"][data-peer]');
    for (const li of rendered) tiles[li.dataset.peer!] = Math.round((li.clientWidth * (globalThis.devicePixelRatio || 1)) / 80) * 80;
    const shown = JSON.stringify(tiles);
    if (shown !== this.#shown) {
      this.#shown = shown;
      this.room?.core?.showPeers(tiles);
    }
    // Remote tiles carry sound; a browser may block playing it until the user clicks.
    for (const v of this.renderRoot.querySelectorAll<HTMLMediaElement>('[data-remote]')) {
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
    // The speaker first, on every page; the others a page at a time.
    const peers = room.peers;
    const speaker = peers.find((p) => p.id === this.#speaker) ?? null;
    const others = peers.filter((p) => p !== speaker);
    const slots = Math.max(1, this.maxTiles - tiles.length - (speaker ? 1 : 0));
    const pages = Math.max(1, Math.ceil(others.length / slots));
    const page = (this.#page = Math.min(this.#page, pages - 1));
    const shown = [...(speaker ? [speaker] : []), ...others.slice(page * slots, (page + 1) * slots)];
    for (const p of shown) tiles.push(this.#tile(p.name, p.stream, p.media, p, false, p === speaker));
    // Members on other pages are still heard (and their sound tells who speaks).
    const heard = others.filter((p) => p.stream && !shown.includes(p));
    const s = this.s;
    const turn = (by: number) => () => {
      this.#page = page + by;
      this.requestUpdate();
    };
    return html`<ul part="grid" data-count=${tiles.length} ?data-many=${tiles.length > 9} aria-label=${s.participants}>${tiles}</ul>
      ${pages > 1 ? html`<nav part="pager" aria-label=${s.participants}>
        <button part="page-button" type="button" aria-label=${s.previousPage} ?disabled=${page === 0} @click=${turn(-1)}>‹</button>
        <span aria-live="polite">${s.page(page + 1, pages)}</span>
        <button part="page-button" type="button" aria-label=${s.nextPage} ?disabled=${page === pages - 1} @click=${turn(1)}>›</button>
      </nav>` : nothing}
      ${heard.map((p) => html`<audio .srcObject=${p.stream} data-remote autoplay></audio>`)}
      ${this.#soundBlocked ? html`<button part="sound-prompt" type="button" @click=${this.#enableSound}>${s.enableSound}</button>` : nothing}`;
  }

  #tile(name: string, stream: MediaStream | null, media: MediaState | null, peer: PeerInfo | null, self: boolean, speaking = false): TemplateResult {
    const s = this.s;
    const video = media ? media.video : !!stream?.getVideoTracks().length;
    const label = self ? `${name} (${s.you})` : name;
    const quality = peer?.quality ?? null;
    const stall = peer?.stall;
    return html`<li part=${self ? 'tile self' : speaking ? 'tile speaking' : 'tile'} data-peer=${peer?.id ?? nothing} data-quality=${quality ?? 'unknown'} ?data-stalled=${!!stall} ?data-screen=${!!media?.screen} ?data-speaking=${speaking}>
      ${stream
        ? html`<video part="video" .srcObject=${stream} .muted=${self} ?data-remote=${!self} autoplay playsinline ?hidden=${!video} aria-label=${label}></video>`
        : nothing}
      <div part="placeholder" ?hidden=${video && !!stream} aria-hidden="true">${initial(name)}</div>
      <div part="caption">
        <span>${label}</span>
        ${speaking ? html`<span part="indicator" data-speaking>${s.speaking}</span>` : nothing}
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
    for (const v of this.renderRoot.querySelectorAll<HTMLMediaElement>('[data-remote]')) void v.play().catch(() => {});
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
