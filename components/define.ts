import { MeshChatElement } from './mesh-chat/mesh-chat.js';
import { MeshRoomElement } from './mesh-room/mesh-room.js';
import { MeshStatusBadgeElement } from './mesh-status-badge/mesh-status-badge.js';
import { MeshVideoGridElement } from './mesh-video-grid/mesh-video-grid.js';
import { MeshMediaControlsElement } from './mesh-media-controls/mesh-media-controls.js';

const ELEMENTS: Array<[string, CustomElementConstructor]> = [
  ['mesh-room', MeshRoomElement],
  ['mesh-chat', MeshChatElement],
  ['mesh-status-badge', MeshStatusBadgeElement],
  ['mesh-video-grid', MeshVideoGridElement],
  ['mesh-media-controls', MeshMediaControlsElement],
];

/**
 * Registers the elements. Safe to call more than once, and safe when another copy of the bundle
 * already registered them (the first registration wins).
 */
export function defineMeshElements(registry: CustomElementRegistry = customElements): void {
  for (const [tag, ctor] of ELEMENTS) {
    if (!registry.get(tag)) registry.define(tag, ctor);
  }
}
