import { MeshChatElement } from './mesh-chat/mesh-chat.js';
import { MeshRoomElement } from './mesh-room/mesh-room.js';
import { loadMediaElements } from './mesh-room/media-elements.js';
import { MeshStatusBadgeElement } from './mesh-status-badge/mesh-status-badge.js';
import { defineOnce } from './shared/define-once.js';

/**
 * Registers `<mesh-room>`, `<mesh-chat>` and `<mesh-status-badge>`. Safe to call more than once,
 * and safe when another copy of the bundle already registered them. The call elements
 * (`<mesh-video-grid>`, `<mesh-media-controls>`) come with the first room that has media, or
 * now when the page already contains one.
 */
export function defineMeshElements(registry: CustomElementRegistry = customElements): void {
  defineOnce('mesh-room', MeshRoomElement, registry);
  defineOnce('mesh-chat', MeshChatElement, registry);
  defineOnce('mesh-status-badge', MeshStatusBadgeElement, registry);
  if (typeof document !== 'undefined' && document.querySelector('mesh-video-grid, mesh-media-controls')) void loadMediaElements().catch(() => {});
}
