/**
 * The mesh-room elements. Importing this module registers `<mesh-room>`, `<mesh-chat>` and
 * `<mesh-status-badge>`; the call elements (`mesh-room/media`), German strings
 * (`mesh-room/i18n/de.js`) and the core's media, files and recording load when used. Pages that
 * also script the room import `mesh-room/core` (the same module the elements use, loaded once);
 * its types, `Room` and `MeshError` are re-exported here.
 *
 * @packageDocumentation
 */
import { defineMeshElements } from './define.js';

export { MeshRoomElement } from './mesh-room/mesh-room.js';
export { loadMediaElements } from './mesh-room/media-elements.js';
export { MeshChatElement, type ChatMessage } from './mesh-chat/mesh-chat.js';
export { MeshStatusBadgeElement } from './mesh-status-badge/mesh-status-badge.js';
export type { MeshVideoGridElement } from './mesh-video-grid/mesh-video-grid.js';
export type { MeshMediaControlsElement } from './mesh-media-controls/mesh-media-controls.js';
export type { MeshRoomApi } from './shared/room-api.js';
export { defineMeshElements } from './define.js';
export { EN, registerStrings, stringsFor, type MeshStrings } from './shared/strings.js';
export * from './events.js';
export { Room, MeshError } from '../core/index.js';
export type * from '../core/index.js';

defineMeshElements();
