// Finding 9 of issue 15, and the relay's part of issue 17: explicit state machines (transition
// tables; an illegal transition throws), no import cycles among the relay's files (not even
// type-only ones), and close codes only from the one CLOSE_CODES table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONNECTION_TRANSITIONS, IllegalTransition, MEMBER_TRANSITIONS, SERVER_TRANSITIONS, StateMachine } from '../../relay/state-table.js';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every relative module a file imports, type-only imports included, as paths from the root. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

describe('relay structure', () => {
  it('state tables: every target is a state, and an illegal move throws', () => {
    for (const table of [SERVER_TRANSITIONS, CONNECTION_TRANSITIONS, MEMBER_TRANSITIONS] as Array<Record<string, readonly string[]>>) {
      for (const targets of Object.values(table)) for (const t of targets) assert.ok(t in table, t);
    }
    const conn = new StateMachine('awaiting-join', CONNECTION_TRANSITIONS, 'connection');
    conn.to('joining');
    conn.to('joined');
    assert.throws(() => conn.to('joining'), IllegalTransition);
    assert.throws(() => conn.to('awaiting-join'), /connection: joined → awaiting-join is not allowed/);
    conn.to('closed');
    assert.throws(() => conn.to('joined'), IllegalTransition);
    const member = new StateMachine('online', MEMBER_TRANSITIONS, 'member');
    member.to('gone');
    assert.throws(() => member.to('online'), IllegalTransition, 'a member that left never comes back as the same record');
  });

  it('the server follows its table: listen once, close any time, closed is final', async () => {
    const relay = new RelayServer({ port: 0 }, { log: new Logger('silent') });
    assert.equal(relay.state.state, 'new');
    await relay.listen();
    assert.equal(relay.state.state, 'listening');
    await assert.rejects(relay.listen(), IllegalTransition);
    const c = await WsClient.connect(relay.wsUrl);
    await c.join('s', 'A');
    await Promise.all([relay.close(), relay.close()]);
    assert.equal(relay.state.state, 'closed');
    assert.equal((await c.closed()).code, 1001);
    const never = new RelayServer({ port: 0 }, { log: new Logger('silent') });
    await never.close();
    assert.equal(never.state.state, 'closed');
  });

  it('relay/ has no import cycle, not even through type-only imports', () => {
    const files = readdirSync(join(ROOT, 'relay')).filter((f) => f.endsWith('.ts')).map((f) => `relay/${f}`);
    const graph = new Map(files.map((f) => [f, imports(f).filter((t) => t.startsWith('relay/'))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return; }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(cycles, []);
  });

  it('relay/ closes sockets only with codes from CLOSE_CODES', () => {
    const literal = readdirSync(join(ROOT, 'relay')).filter((f) => f.endsWith('.ts')).flatMap((f) => {
      const text = readFileSync(join(ROOT, 'relay', f), 'utf8');
      return [...text.matchAll(/\.close\(\s*(\d+)|close\(code = (\d+)/g)].map((m) => `${f}: ${m[0]}`);
    });
    assert.deepEqual(literal, []);
  });
});
