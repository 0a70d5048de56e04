// Finding 7 of issue 15: names that look the same are one name. NFKC, no invisible or filler
// characters, and uniqueness by a confusable skeleton — shared by client and relay through
// core/protocol.ts.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { nameKey, normalizeName } from '../../core/protocol.js';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { WsClient } from '../helpers/ws-client.js';

describe('name rules', () => {
  it('refuses invisible, filler and control characters, and lone surrogates', () => {
    for (const name of ['Ada\u200b', 'A\u00adda', 'Ada\u3164', '\u115fAda', 'Ad\u2060a', 'Ada\ufe0f', 'A\u034fda', 'Ada\u{e0041}', '\u2800', 'Ada\ud800', 'a\u0000b', 'evil\u202egnp']) {
      assert.equal(normalizeName(name), null, JSON.stringify(name));
    }
  });

  it('normalises with NFKC, trims and collapses whitespace', () => {
    assert.equal(normalizeName('  Ａｄａ \t Lovelace '), 'Ada Lovelace');
    assert.equal(normalizeName('ﬁona'), 'fiona');
    assert.equal(normalizeName('José'), 'José');
  });

  it('gives look-alike names one key: case, width, Cyrillic, Greek, 0/O, 1/l/I, rn/m', () => {
    const same: Array<[string, string]> = [
      ['Ada', 'ADA'], ['Ada', 'Ａｄａ'], ['Ada', '\u0410da'], ['Ada', 'Ad\u0430'], ['Ada', '\u0391da'],
      ['Bob', '\u0412\u043e\u0432'], ['Alan', 'AIan'], ['Alan', 'A1an'], ['Otto', '0tto'], ['Emma', 'Ernrna'],
      ['Henry', '\u0397enry'], ['Paul', '\u0420aul'], ['Yuki', '\u04aeuki'],
    ];
    for (const [a, b] of same) assert.equal(nameKey(normalizeName(b)!), nameKey(normalizeName(a)!), `${a} ~ ${b}`);
    const different: Array<[string, string]> = [['Ada', 'Ida'], ['Bob', 'Rob'], ['José', 'Jose'], ['Anna', 'Hanna']];
    for (const [a, b] of different) assert.notEqual(nameKey(a), nameKey(b), `${a} ≠ ${b}`);
  });
});

describe('the relay enforces the name rules', () => {
  let relay: RelayServer;
  const clients: WsClient[] = [];
  before(async () => {
    relay = new RelayServer({ port: 0 }, { log: new Logger('silent') });
    await relay.listen();
  });
  afterEach(() => { for (const c of clients.splice(0)) c.terminate(); });
  after(() => relay.close());

  async function attempt(room: string, name: string): Promise<string> {
    const c = await WsClient.connect(relay.wsUrl);
    clients.push(c);
    c.send(c.joinFrame(room, name));
    const f = await c.next((x) => x.type === 'welcome' || x.type === 'error');
    return f.type === 'error' ? f.code : 'welcome';
  }

  it('refuses hidden characters as invalid-name and look-alikes of a present member as name-taken', async () => {
    assert.equal(await attempt('names', 'Ada'), 'welcome');
    for (const name of ['Ada\u200b', 'A\u00adda', 'Ada\u3164', '\u115fAda']) assert.equal(await attempt('names', name), 'invalid-name', JSON.stringify(name));
    for (const name of ['\u0410da', 'ADA', 'Ａｄａ', '\u0391da', 'Ad\u0430']) assert.equal(await attempt('names', name), 'name-taken', JSON.stringify(name));
    assert.equal(await attempt('names', 'Ida'), 'welcome');
    assert.equal(relay.getRoom('names')!.members.size, 2);
  });
});
