import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import { ROOM_CONNECTED, type MeshRoomApi } from './room-api.js';
import { resolveStrings, STRINGS_CHANGED, type MeshStrings } from './strings.js';

/**
 * Base of the elements that belong to a room (`<mesh-chat>`, `<mesh-status-badge>`, the grid
 * and the controls): attaches to the `<mesh-room>` whose id `for` names (in the same document or
 * shadow root), else to the nearest `<mesh-room>` ancestor, across shadow roots; follows the
 * room events a subclass lists in `roomEvents` while attached, and detaches when removed.
 */
export abstract class RoomBoundElement extends LitElement {
  static override properties: PropertyDeclarations = {
    for: { type: String, reflect: true },
    strings: { attribute: false },
  };

  /** Id of the `<mesh-room>` to attach to (default: the nearest ancestor). */
  declare for: string;
  /** Strings to use instead of the built-in ones of the element's language (any subset). */
  declare strings: Partial<MeshStrings> | null;

  /** Room events to follow while attached; each re-renders unless its handler says otherwise. */
  protected roomEvents: Record<string, (ev: Event) => void> = {};
  #room: MeshRoomApi | null = null;
  readonly #onRoomConnected = () => {
    if (!this.#room) this.#attach();
  };
  readonly #onStrings = () => this.requestUpdate();

  constructor() {
    super();
    this.for = '';
    this.strings = null;
  }

  /** The room this element belongs to. */
  get room(): MeshRoomApi | null { return this.#room; }

  /** The strings in effect: the element's language, with `strings` on top. */
  protected get s(): MeshStrings { return resolveStrings(this, this.strings); }

  /** Called after the element attached to a room (or lost it: null). */
  protected roomChanged(_room: MeshRoomApi | null): void {}

  override connectedCallback(): void {
    super.connectedCallback();
    this.#attach();
    document.addEventListener(ROOM_CONNECTED, this.#onRoomConnected);
    document.addEventListener(STRINGS_CHANGED, this.#onStrings);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener(ROOM_CONNECTED, this.#onRoomConnected);
    document.removeEventListener(STRINGS_CHANGED, this.#onStrings);
    this.#detach();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('for') && changed.get('for') !== undefined) {
      this.#detach();
      this.#attach();
    }
  }

  #attach(): void {
    const room = findRoom(this);
    if (!room || room === this.#room) return;
    this.#room = room;
    for (const [type, fn] of Object.entries(this.roomEvents)) room.addEventListener(type, fn);
    this.roomChanged(room);
    this.requestUpdate();
  }

  #detach(): void {
    const room = this.#room;
    if (!room) return;
    for (const [type, fn] of Object.entries(this.roomEvents)) room.removeEventListener(type, fn);
    this.#room = null;
    this.roomChanged(null);
    this.requestUpdate();
  }
}

function findRoom(el: HTMLElement): MeshRoomApi | null {
  const id = el.getAttribute('for');
  if (id) {
    const root = el.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById?.(id) ?? null;
    return found?.localName === 'mesh-room' ? (found as MeshRoomApi) : null;
  }
  let node: Node | null = el.parentNode;
  while (node) {
    if (node instanceof HTMLElement && node.localName === 'mesh-room') return node as MeshRoomApi;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  return null;
}
