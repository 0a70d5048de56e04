// The layer rules of DESIGN.md, checked on the source: imports only point down, and no cycles.
//   core/        no lit, nothing from components/ or relay/; the kernel (base, protocol, signaling,
//                link, delivery, room) never imports a feature (media, files, recording, sfu); a
//                feature imports the kernel and itself, never another feature; `core/room.ts`
//                loads the features with import() only
//   components/  use core only through core/index.ts and each feature's door (core/<feature>/index.ts)
//   relay/       from core only core/protocol.ts (the wire format), which pulls in nothing else of core
//   everything   no import cycles, not even type-only ones
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What core/protocol.ts may bring along: its parts, which import only each other. */
const WIRE_FORMAT = ['core/protocol.ts', 'core/protocol/wire-types.ts', 'core/protocol/frame-validation.ts', 'core/protocol/quality.ts', 'core/protocol/guards.ts', 'core/protocol/name-rules.ts'];
/** Each core folder and the folders it may import from (its own included). */
const KERNEL = ['base', 'protocol', 'signaling', 'link', 'delivery', 'room'];
const FEATURES = ['media', 'files', 'recording', 'sfu'];
const CORE_RULES: Record<string, string[]> = {
  base: ['base', 'protocol'],
  protocol: ['protocol'],
  signaling: ['base', 'protocol', 'signaling'],
  link: ['base', 'protocol', 'link'],
  delivery: ['base', 'protocol', 'delivery'],
  room: KERNEL,
  ...Object.fromEntries(FEATURES.map((f) => [f, [...KERNEL, f]])),
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

interface Import { target: string; dynamic: boolean; typeOnly: boolean }

/** Every module a file imports or re-exports (type-only and dynamic too), resolved to a path from the root when relative. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s)?[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\('([^']+)'\)/g)];
  return found.map((m) => {
    const spec = m[2] ?? m[3] ?? m[4];
    const target = spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    return { target, dynamic: m[4] !== undefined, typeOnly: m[1] !== undefined };
  });
}
const imports = (file: string) => importsOf(file).map((i) => i.target);

function violations(dir: string, allowed: (target: string, file: string, dynamic: boolean) => boolean): string[] {
  return sources(dir).flatMap((f) => importsOf(f).filter((i) => !allowed(i.target, f, i.dynamic)).map((i) => `${f} → ${i.target}`));
}

const folderOf = (path: string) => path.split('/')[1];

/** Import cycles among `files` (each as a path a → b → … → a), type-only and dynamic imports included. */
function cycles(files: string[]): string[] {
  return cyclesIn(new Map(files.map((f) => [f, imports(f).filter((t) => t.endsWith('.ts'))])));
}

function cyclesIn(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
      else if (!state.has(t) && graph.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('layer rules', () => {
  it('finds imports at all (the check itself works)', () => {
    assert.ok(imports('core/room/relay-session.ts').includes('core/signaling/signaling-client.ts'));
    assert.ok(imports('components/index.ts').some((t) => t.startsWith('core/')));
    assert.ok(importsOf('core/room.ts').some((i) => i.dynamic && i.target === 'core/media/index.ts'));
    assert.deepEqual(cyclesIn(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), ['a → b → c → a']);
  });

  it('core/ imports only core/ (no lit, no components, no relay)', () => {
    assert.deepEqual(violations('core', (t) => t.startsWith('core/')), []);
  });

  it('each core folder imports only the folders below it: the kernel never a feature, a feature never another', () => {
    const bad = violations('core', (t, file) => {
      if (file.split('/').length === 2) return true; // the doors, checked below
      const from = folderOf(file);
      return t.split('/').length === 2 ? t === 'core/protocol.ts' && CORE_RULES[from].includes('protocol') : CORE_RULES[from].includes(folderOf(t));
    });
    assert.deepEqual(bad, []);
    assert.deepEqual(Object.keys(CORE_RULES).sort(), readdirSync(join(ROOT, 'core'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort(), 'every core folder has a rule');
  });

  it('the doors load features only with import(), so a page downloads a feature only when it is used', () => {
    const bad = violations('core', (t, file, dynamic) => file.split('/').length > 2 || !FEATURES.includes(folderOf(t)) || dynamic);
    assert.deepEqual(bad, []);
  });

  it('components/ use core only through core/index.ts and the features\' doors', () => {
    const doors = ['core/index.ts', ...FEATURES.map((f) => `core/${f}/index.ts`)];
    assert.deepEqual(violations('components', (t) => t.startsWith('components/') || doors.includes(t) || t === 'lit' || t.startsWith('lit/')), []);
  });

  it('the elements a chat page loads import the call elements, file view, recording view and languages only with import()', () => {
    const lazy = ['components/media.ts', 'components/mesh-chat/chat-file.ts', 'components/mesh-room/recording-view.ts', 'components/i18n/de.ts', 'components/i18n/en-media.ts', 'components/i18n/en-files.ts', 'components/i18n/en-recording.ts', 'components/mesh-video-grid/mesh-video-grid.ts', 'components/mesh-media-controls/mesh-media-controls.ts'];
    const seen = new Set<string>();
    const walk = (f: string) => {
      if (seen.has(f) || !f.endsWith('.ts') || !f.startsWith('components/')) return;
      seen.add(f);
      // Type-only imports are erased: they load nothing.
      for (const i of importsOf(f)) if (!i.dynamic && !i.typeOnly) walk(i.target);
    };
    walk('components/index.ts');
    assert.deepEqual([...seen].filter((f) => lazy.includes(f)), []);
  });

  it('relay/ shares with core only core/protocol.ts, and that pulls in nothing else', () => {
    assert.deepEqual(violations('relay', (t) => !t.startsWith('core/') && !t.startsWith('components/') ? true : t === 'core/protocol.ts'), []);
    const beyond = WIRE_FORMAT.flatMap((f) => imports(f).filter((t) => !WIRE_FORMAT.includes(t)).map((t) => `${f} → ${t}`));
    assert.deepEqual(beyond, []);
  });

  it('core/, components/ and relay/ have no import cycles, not even type-only ones', () => {
    assert.deepEqual(cycles([...sources('core'), ...sources('components'), ...sources('relay')]), []);
  });
});
