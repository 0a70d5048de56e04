import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshRoomElement } from '../mesh-room/mesh-room.js';

/** Fired on `document` by every `<mesh-room>` that connects, so late-bound children can find it. */
export const ROOM_CONNECTED = 'mesh-room-connected';

/**
 * Attaches an element to its room: the `<mesh-room>` whose id its `for` attribute names (in the
 * same document or shadow root), else the nearest `<mesh-room>` ancestor, across shadow roots.
 * Listens to the given room events while attached and detaches on disconnect.
 */
export class RoomAttachment implements ReactiveController {
  room: MeshRoomElement | null = null;
  readonly #onRoomConnected = () => {
    if (!this.room) this.#attach();
  };

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #listeners: Record<string, (ev: Event) => void>;
  readonly #onAttach: (room: MeshRoomElement | null) => void;
  constructor(
    host: ReactiveControllerHost & HTMLElement,
    listeners: Record<string, (ev: Event) => void>,
    onAttach: (room: MeshRoomElement | null) => void = () => {},
  ) {
    this.#host = host;
    this.#listeners = listeners;
    this.#onAttach = onAttach;
    host.addController(this);
  }

  hostConnected(): void {
    this.#attach();
    document.addEventListener(ROOM_CONNECTED, this.#onRoomConnected);
  }

  hostDisconnected(): void {
    document.removeEventListener(ROOM_CONNECTED, this.#onRoomConnected);
    this.#detach();
  }

  /** Looks for the room again (after `for` changed). */
  reattach(): void {
    this.#detach();
    this.#attach();
  }

  #attach(): void {
    const room = findRoom(this.#host);
    if (!room || room === this.room) return;
    this.room = room;
    for (const [type, fn] of Object.entries(this.#listeners)) room.addEventListener(type, fn);
    this.#onAttach(room);
    this.#host.requestUpdate();
  }

  #detach(): void {
    const room = this.room;
    if (!room) return;
    for (const [type, fn] of Object.entries(this.#listeners)) room.removeEventListener(type, fn);
    this.room = null;
    this.#onAttach(null);
    this.#host.requestUpdate();
  }
}

function findRoom(el: HTMLElement): MeshRoomElement | null {
  const id = el.getAttribute('for');
  if (id) {
    const root = el.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById?.(id) ?? null;
    return found?.localName === 'mesh-room' ? (found as MeshRoomElement) : null;
  }
  let node: Node | null = el.parentNode;
  while (node) {
    if (node instanceof HTMLElement && node.localName === 'mesh-room') return node as MeshRoomElement;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  return null;
}
