// Builds everything `npm start`, the tests and the package need into dist/:
//   dist/mesh-room.js       the elements (ES module; lit and the core bundled, in shared chunks)
//   dist/core.js            the core alone (no lit), for `import { Room } from 'mesh-room/core'`
//   dist/media.js           the call elements; dist/core/{media,files,recording}.js the features;
//   dist/i18n/de.js         German strings; dist/chunks/*  shared and lazily loaded chunks
//   dist/mesh-room.iife.js  everything as one classic script (global MeshRoom), for CMSs without modules;
//                           dist/i18n/de.iife.js German for it
//   dist/relay/main.js      the relay CLI (bin `mesh-relay`), Node ESM, dependencies external
//   dist/relay/index.js     the relay as a library; dist/relay/testing.js the web-test-runner plugin
// Flags: --watch; --types (declaration files in dist/types); --docs (regenerate custom-elements.json
// and the README's element reference); --check-docs (fail when either is out of date).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const flags = new Set(process.argv.slice(2));

// The README's element reference, rendered from custom-elements.json.
const esc = (s = '') => String(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();
const table = (head, rows) => (rows.length ? [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n') : '');

/** Markdown for every custom element in the manifest, in tag order. */
function elementReference(manifest) {
  const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName).sort((a, b) => a.tagName.localeCompare(b.tagName));
  return elements.map((d) => {
    const attrs = (d.attributes ?? []).filter((a) => !a.name.startsWith('_'));
    const events = [...new Map((d.events ?? []).filter((e) => e.name).map((e) => [e.name, e])).values()];
    const parts = [
      `#### \`<${d.tagName}>\``,
      esc(d.summary ?? d.description ?? ''),
      table(['attribute', 'description'], attrs.map((a) => [`\`${a.name}\``, a.description ?? ''])),
      table(['event', 'description'], events.map((e) => [`\`${e.name}\``, e.description ?? ''])),
      table(['slot', 'description'], (d.slots ?? []).map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description ?? ''])),
      table(['part', 'description'], (d.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description ?? ''])),
      table(['custom property', 'description'], (d.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.description ?? ''])),
    ];
    return parts.filter(Boolean).join('\n\n');
  }).join('\n\n');
}


/** custom-elements.json generated from the elements' JSDoc, as a string. */
function generateManifest() {
  const dir = mkdtempSync(join(tmpdir(), 'cem-'));
  try {
    // A config file, because only there can `packagejson: false` stop the analyzer from rewriting
    // package.json's customElements field to point at this temporary directory.
    const config = join(dir, 'cem.config.mjs');
    writeFileSync(config, `export default ${JSON.stringify({
      globs: ['components/**/*.ts'], exclude: ['components/**/*.styles.ts'], litelement: true, packagejson: false,
      // The analyzer joins outdir to the working directory, so it gets a relative path.
      outdir: relative(process.cwd(), dir),
    })};\n`);
    execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--config', config], { stdio: 'pipe' });
    const manifest = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8'));
    // The analyzer lists modules in the order its glob finds them, which varies: sort by path.
    manifest.modules.sort((a, b) => a.path.localeCompare(b.path));
    return JSON.stringify(manifest, null, 2) + '\n';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const START = '<!-- elements:start (generated from custom-elements.json by `npm run docs`) -->';
const END = '<!-- elements:end -->';
function readmeWith(manifest) {
  const readme = readFileSync('README.md', 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < 0) throw new Error('README.md lacks the element reference markers');
  return readme.slice(0, a + START.length) + '\n' + elementReference(JSON.parse(manifest)) + '\n' + readme.slice(b);
}

if (flags.has('--docs') || flags.has('--check-docs')) {
  const manifest = generateManifest();
  const readme = readmeWith(manifest);
  if (flags.has('--check-docs')) {
    const stale = [];
    if (readFileSync('custom-elements.json', 'utf8') !== manifest) stale.push('custom-elements.json');
    if (readFileSync('README.md', 'utf8') !== readme) stale.push('README.md (element reference)');
    if (stale.length) {
      console.error(`out of date: ${stale.join(', ')} — run \`npm run docs\` and commit the result`);
      process.exit(1);
    }
    console.log('custom-elements.json and the README element reference are up to date');
  } else {
    writeFileSync('custom-elements.json', manifest);
    writeFileSync('README.md', readme);
    console.log('wrote custom-elements.json and the README element reference');
  }
  process.exit(0);
}

const watch = flags.has('--watch');
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });

/**
 * Minifies the contents of lit's css`` and html`` templates (esbuild minifies the code around
 * them, not their contents): a style sheet as esbuild minifies CSS (comments and spaces go,
 * numbers, colours and quotes shorten, repeated rules merge); in markup, whitespace between tags
 * goes and text is untouched.
 */
function minifiedTemplates(src) {
  // Target: the browsers the elements are tested in, or older. esbuild keeps a custom property's
  // value as written (the space after its colon, in `var()` after a comma): those go afterwards.
  const cssMin = (body) => esbuild.transformSync(body, { loader: 'css', minify: true, target: ['chrome111', 'firefox115', 'safari16.4'] }).code;
  src = src.replace(/css`([^`]*)`/g, (_, body) => 'css`' + (body.includes('${') ? body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ') : cssMin(body)).replace(/\s*([{}:;,>])\s*/g, '$1').trim() + '`');
  return src.replace(/html`([^`]*)`/g, (_, body) => 'html`' + body.replace(/>\s+</g, '><').replace(/\n\s+/g, ' ') + '`');
}

const minifyTemplates = {
  name: 'minify-templates',
  setup(build) {
    build.onLoad({ filter: /components[\\/].*\.ts$/ }, async (args) => ({ contents: minifiedTemplates(readFileSync(args.path, 'utf8')), loader: 'ts' }));
  },
};

/**
 * For the classic script, which has everything in one file: a room's lazy `import('./x.js')`
 * becomes a static import resolved at once (no chunk to fetch, no lazy-init wrappers). Where the
 * code takes named exports (`import('./x.js').then((m) => m.name)`, `.then(({ name }) => …)`,
 * `const { a, b } = await import('./x.js')`), they are imported by name, so no module namespace
 * object is built.
 */
const inlineLazyImports = {
  name: 'inline-lazy-imports',
  setup(build) {
    build.onLoad({ filter: /(core|components)[\\/].*\.ts$/ }, async (args) => {
      let src = readFileSync(args.path, 'utf8');
      if (!/(?<!typeof )import\('/.test(src)) return undefined;
      const imports = [];
      const lazy = (what) => `__lazy${imports.push(what) - 1}`;
      src = src.replace(/(?<!typeof )import\('([^']+)'\)\.then\(\((\w+)\) => \2\.(\w+)\)/g, (_, spec, _m, name) => {
        const id = lazy(`import { ${name} as __lazy${imports.length} } from '${spec}';`);
        return `Promise.resolve(${id})`;
      });
      src = src.replace(/(?<!typeof )import\('([^']+)'\)\.then\(\(\{ (\w+) \}\) =>/g, (_, spec, name) => {
        const id = lazy(`import { ${name} as __lazy${imports.length} } from '${spec}';`);
        return `Promise.resolve({ ${name}: ${id} }).then(({ ${name} }) =>`;
      });
      src = src.replace(/const \{ ([\w, ]+) \} = await import\('([^']+)'\)/g, (_, names, spec) => {
        const id = lazy(`import { ${names.split(',').map((n, i) => `${n.trim()} as __lazy${imports.length}_${i}`).join(', ')} } from '${spec}';`);
        return `const { ${names} } = await { ${names.split(',').map((n, i) => `${n.trim()}: ${id}_${i}`).join(', ')} }`;
      });
      src = src.replace(/(?<!typeof )import\('([^']+)'\)/g, (_, spec) => `Promise.resolve(${lazy(`import * as __lazy${imports.length} from '${spec}';`)})`);
      src = imports.join('\n') + '\n' + src;
      return { contents: /components[\\/]/.test(args.path) ? minifiedTemplates(src) : src, loader: 'ts' };
    });
  },
};

const browser = {
  bundle: true,
  plugins: [minifyTemplates],
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const builds = [
  // One ES module build, split: modules shared by several entries (the core, lit) are chunks of
  // their own, so a page importing the elements and `mesh-room/core` loads the core once, and
  // what a room loads on first use (media, files, recording, the call elements) is fetched only
  // then, relative to the module that imports it.
  {
    ...browser,
    entryPoints: {
      'mesh-room': 'components/index.ts',
      core: 'core/index.ts',
      media: 'components/media.ts',
      'i18n/de': 'components/i18n/de.ts',
      'core/media': 'core/media/index.ts',
      'core/files': 'core/files/index.ts',
      'core/recording': 'core/recording/index.ts',
    },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
  },
  // Everything in one classic script: every dynamic import is bundled in.
  { ...browser, plugins: [inlineLazyImports, minifyTemplates], format: 'iife', globalName: 'MeshRoom', entryPoints: { 'mesh-room.iife': 'components/iife.ts' }, outdir: 'dist' },
  { ...browser, format: 'iife', entryPoints: { 'i18n/de.iife': 'components/i18n/de.iife.ts' }, outdir: 'dist' },
  {
    entryPoints: { main: 'relay/main.ts', index: 'relay/index.ts', testing: 'relay/wtr-plugin.ts' },
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
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  // What each ES module imports, statically and dynamically: bench/size.mjs sums what a page loads.
  writeFileSync('dist/metafile.json', JSON.stringify(results[0].metafile));
  if (flags.has('--types')) execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
}
