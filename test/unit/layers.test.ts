// The layer rules of DESIGN.md, checked on the source: imports only point down.
//   core/        no lit, nothing from components/ or relay/
//   components/  from core only through core/index.ts
//   relay/       from core only core/protocol.ts (the wire format), which pulls in nothing else of core
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What core/protocol.ts may bring along: its parts, which import only each other. */
const WIRE_FORMAT = ['core/protocol.ts', 'core/wire-types.ts', 'core/frame-validation.ts', 'core/name-rules.ts', 'core/quality.ts'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

/** Every module specifier a file imports or re-exports, resolved to a path from the root when relative. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return sources(dir).flatMap((f) => imports(f).filter((t) => !allowed(t)).map((t) => `${f} → ${t}`));
}

describe('layer rules', () => {
  it('finds imports at all (the check itself works)', () => {
    assert.ok(imports('core/room.ts').includes('core/signaling-client.ts'));
    assert.ok(imports('components/index.ts').some((t) => t.startsWith('core/')));
  });

  it('core/ imports only core/ (no lit, no components, no relay)', () => {
    assert.deepEqual(violations('core', (t) => t.startsWith('core/')), []);
  });

  it('components/ use core only through core/index.ts', () => {
    assert.deepEqual(violations('components', (t) => t.startsWith('components/') || t === 'core/index.ts' || t === 'lit' || t.startsWith('lit/')), []);
  });

  it('relay/ shares with core only core/protocol.ts, and that pulls in nothing else', () => {
    assert.deepEqual(violations('relay', (t) => !t.startsWith('core/') && !t.startsWith('components/') ? true : t === 'core/protocol.ts'), []);
    const beyond = WIRE_FORMAT.flatMap((f) => imports(f).filter((t) => !WIRE_FORMAT.includes(t)).map((t) => `${f} → ${t}`));
    assert.deepEqual(beyond, []);
  });
});
