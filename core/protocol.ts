/**
 * The one file `relay/` imports from `core/`: the wire format (`wire-types.ts`), its runtime
 * validators (`frame-validation.ts`) and link-quality classification (`quality.ts`). Those three
 * import nothing beyond each other and have no side effects, so a browser bundle and Node load
 * them alike; `test/unit/layers.test.ts` keeps it that way.
 *
 * @packageDocumentation
 */
export * from './wire-types.js';
export * from './frame-validation.js';
export * from './quality.js';
