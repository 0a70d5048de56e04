// Lets `node --test` run TypeScript test files: registers module hooks that compile .ts with
// esbuild (already a dev dependency) and map `./x.js` imports to `./x.ts` when only the .ts
// exists, the convention the sources use. Usage: node --import ./test/helpers/ts-loader.mjs
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
