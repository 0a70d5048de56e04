/**
 * The mesh-room elements. Importing this module registers `<mesh-room>`, `<mesh-chat>`,
 * `<mesh-status-badge>`, `<mesh-video-grid>` and `<mesh-media-controls>`; the core is
 * re-exported for pages that also script the room.
 *
 * @packageDocumentation
 */
import { defineMeshElements } from './define.js';

export { MeshRoomElement } from './mesh-room/mesh-room.js';
export { MeshChatElement, type ChatMessage } from './mesh-chat/mesh-chat.js';
export { MeshStatusBadgeElement } from './mesh-status-badge/mesh-status-badge.js';
export { MeshVideoGridElement } from './mesh-video-grid/mesh-video-grid.js';
export { MeshMediaControlsElement } from './mesh-media-controls/mesh-media-controls.js';
export { defineMeshElements } from './define.js';
export { EN, registerStrings, stringsFor, type MeshStrings } from './shared/strings.js';
export { DE } from './shared/strings-de.js';
export * from './events.js';
export * from '../core/index.js';

defineMeshElements();
