// Finding 6 of issue 15: open mode must not hand TURN credentials to anyone. The relay refuses to
// start with a TURN secret but no room-token secret, unless told so explicitly (and then says it
// loudly); an open relay bound beyond loopback warns at start-up.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import type { RelayOptionsInput } from '../../relay/relay-options.js';
import { RelayProcess } from '../helpers/relay-process.js';

const TURN = { turnSecret: 'turn-secret', turnUrls: ['turn:127.0.0.1:3478'] };

describe('open mode', () => {
  const relays: RelayServer[] = [];
  after(async () => { for (const r of relays) await r.close(); });
  async function started(opts: RelayOptionsInput): Promise<string[]> {
    const lines: string[] = [];
    const r = new RelayServer({ port: 0, ...opts }, { log: new Logger('warn', (l) => lines.push(l)) });
    relays.push(r);
    await r.listen();
    return lines.map((l) => (JSON.parse(l) as { warning?: string }).warning ?? '').filter(Boolean);
  }

  it('refuses a TURN secret without a room-token secret, saying what to do', () => {
    assert.throws(() => new RelayServer({ port: 0, ...TURN }), /turnSecret without secret.*set secret.*or openTurn/);
  });

  it('the CLI refuses it too, and exits 2 with the reason', async () => {
    const proc = new RelayProcess({ args: ['--turn-secret', 'turn-secret', '--turn-urls', 'turn:127.0.0.1:3478'] });
    await assert.rejects(proc.start(), /exited with 2/);
    assert.match(proc.output, /TURN credentials to anyone/);
  });

  it('starts with --open-turn and says so loudly; with a secret there is nothing to say', async () => {
    assert.deepEqual(await started({ ...TURN, openTurn: true }), ['open-turn']);
    assert.deepEqual(await started({ ...TURN, secret: 'a-long-enough-test-secret' }), []);
  });

  it('warns when an open relay binds beyond loopback, not on loopback or with a secret', async () => {
    assert.deepEqual(await started({ host: '127.0.0.1' }), []);
    const exposed = await started({ host: '0.0.0.0' });
    assert.ok(exposed.includes('open-mode'), exposed.join());
    assert.ok(!(await started({ host: '0.0.0.0', secret: 'a-long-enough-test-secret', publicOrigins: ['https://chat.example'] })).includes('open-mode'));
  });
});
