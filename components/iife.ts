/**
 * Everything in one classic script (`mesh-room.iife.js`, global `MeshRoom`), for pages that
 * cannot load modules: the elements, the call elements, every feature and every language.
 *
 * @packageDocumentation
 */
import './i18n/de.js';
import './media.js';

export * from './index.js';
export * from '../core/index.js';
export { MeshVideoGridElement, MeshMediaControlsElement } from './media.js';
export { DE } from './i18n/de.js';
