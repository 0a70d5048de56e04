/**
 * The one file `relay/` imports from `core/`: the wire format (`protocol/wire-types.ts`), its runtime
 * validators (`protocol/frame-validation.ts`) and link-quality classification (`protocol/quality.ts`). Those three
 * import nothing beyond each other and have no side effects, so a browser bundle and Node load
 * them alike; `test/unit/layers.test.ts` keeps it that way.
 *
 * @packageDocumentation
 */
export * from './protocol/wire-types.js';
export * from './protocol/frame-validation.js';
export * from './protocol/quality.js';
