/**
 * The call elements, `<mesh-video-grid>` and `<mesh-media-controls>`: a separate module that
 * `<mesh-room>` loads by itself when its room has media. Import it (`mesh-room/media`) to place
 * these elements yourself in a room without media.
 *
 * @packageDocumentation
 */
import { MeshMediaControlsElement } from './mesh-media-controls/mesh-media-controls.js';
import { MeshVideoGridElement } from './mesh-video-grid/mesh-video-grid.js';
import { defineOnce } from './shared/define-once.js';
import { addEnglish } from './shared/strings.js';
import { EN_MEDIA } from './i18n/en-media.js';

export { MeshMediaControlsElement, MeshVideoGridElement };

addEnglish(EN_MEDIA);
defineOnce('mesh-video-grid', MeshVideoGridElement);
defineOnce('mesh-media-controls', MeshMediaControlsElement);
