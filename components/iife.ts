/**
 * Everything in one classic script (`mesh-room.iife.js`, global `MeshRoom`), for pages that
 * cannot load modules: the elements, the call elements and every feature. Languages other than
 * English are classic scripts of their own (`i18n/de.iife.js`), loaded after this one.
 *
 * @packageDocumentation
 */
import './media.js';

export * from './index.js';
export * from '../core/index.js';
export { MeshVideoGridElement, MeshMediaControlsElement } from './media.js';
