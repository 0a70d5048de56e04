/**
 * German for the elements, opt-in: importing this module (`mesh-room/i18n/de.js`) registers it
 * for `lang="de"` (and `de-AT`, `de-CH`, …).
 *
 * @packageDocumentation
 */
import { registerStrings } from '../shared/strings.js';
import { DE } from './de-strings.js';

export { DE };

registerStrings('de', DE);
