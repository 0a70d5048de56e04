/**
 * German for the classic script: load `i18n/de.iife.js` after `mesh-room.iife.js`; it registers
 * the strings with `window.MeshRoom`.
 *
 * @packageDocumentation
 */
import type { MeshStrings } from '../shared/strings.js';
import { DE } from './de-strings.js';

(globalThis as unknown as { MeshRoom: { registerStrings(lang: string, table: MeshStrings): void } }).MeshRoom.registerStrings('de', DE);
