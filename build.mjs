// Builds everything `npm start`, the tests and the package need into dist/:
//   dist/mesh-room.js       the elements + core + lit, one self-contained minified ES module
//   dist/mesh-room.iife.js  the same as a classic script (global MeshRoom), for CMSs without modules
//   dist/core.js            the core alone (no lit), for `import { Room } from 'mesh-room/core'`
//   dist/relay/main.js      the relay CLI (bin `mesh-relay`), Node ESM, `ws` external
//   dist/relay/index.js     the relay as a library
import * as esbuild from 'esbuild';
import { rm, mkdir } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });

const browser = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const builds = [
  { ...browser, entryPoints: { 'mesh-room': 'components/index.ts' }, outdir: 'dist' },
  { ...browser, format: 'iife', globalName: 'MeshRoom', entryPoints: { 'mesh-room.iife': 'components/index.ts' }, outdir: 'dist' },
  { ...browser, entryPoints: { core: 'core/index.ts' }, outdir: 'dist' },
  {
    entryPoints: { main: 'relay/main.ts', index: 'relay/index.ts' },
    outdir: 'dist/relay',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('build: watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
