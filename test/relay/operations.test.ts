import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { RelayServer } from '../../relay/relay-server.js';
import { Logger } from '../../relay/logger.js';
import { RelayProcess } from '../helpers/relay-process.js';
import { WsClient } from '../helpers/ws-client.js';

const quiet = new Logger('silent');

/** Parses Prometheus text exposition (0.0.4); throws on a malformed line. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) { types.set(type[1], type[2]); continue; }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    if (!types.has(sample[1])) throw new Error(`sample before its TYPE: ${sample[1]}`);
    samples.set(sample[1] + (sample[2] ?? ''), Number(sample[3]));
  }
  return { types, samples };
}

describe('operations', () => {
  let relay: RelayServer;
  after(() => relay?.close());

  it('/metrics is Prometheus text and its counters move with joins, messages, errors and resumes', async () => {
    relay = new RelayServer({ port: 0 }, { log: quiet });
    await relay.listen();
    const scrape = async () => parsePrometheus(await (await fetch(relay.httpUrl + '/metrics')).text());
    const before = await scrape();
    for (const name of ['mesh_relay_connections_total', 'mesh_relay_messages_in_total', 'mesh_relay_messages_out_total', 'mesh_relay_messages_replayed_total',
      'mesh_relay_resumes_total', 'mesh_relay_errors_total', 'mesh_relay_connections', 'mesh_relay_rooms', 'mesh_relay_members',
      'mesh_relay_replay_buffer_bytes', 'mesh_relay_event_loop_lag_seconds', 'mesh_relay_store_up']) {
      assert.ok(before.types.has(name), `${name} is exported`);
    }
    const [a, b] = [await WsClient.connect(relay.wsUrl), await WsClient.connect(relay.wsUrl)];
    const { welcome } = await a.join('metrics', 'A');
    await b.join('metrics', 'B');
    for (let n = 1; n <= 3; n++) a.send({ type: 'publish', n, data: n, sentAt: 0 });
    await b.next((f) => f.type === 'message' && f.n === 3);
    b.send('garbage');
    await b.type('error');
    a.terminate();
    const a2 = await WsClient.connect(relay.wsUrl);
    Object.assign(a2, { peerId: a.peerId, key: a.key, session: a.session });
    await a2.join('metrics', 'A', { resume: { epoch: welcome.epoch, lastSeq: 0 } });
    const after = await scrape();
    const d = (k: string) => (after.samples.get(k) ?? 0) - (before.samples.get(k) ?? 0);
    assert.equal(d('mesh_relay_messages_in_total'), 3);
    assert.equal(d('mesh_relay_messages_out_total'), 3);
    assert.equal(d('mesh_relay_messages_replayed_total'), 3);
    assert.equal(d('mesh_relay_resumes_total'), 1);
    assert.equal(d('mesh_relay_joins_total'), 3);
    assert.equal(d('mesh_relay_errors_total{code="bad-frame"}'), 1);
    assert.equal(after.samples.get('mesh_relay_rooms'), 1);
    assert.equal(after.samples.get('mesh_relay_members'), 2);
    assert.ok(after.samples.get('mesh_relay_replay_buffer_bytes')! > 0);
    assert.ok(after.samples.get('mesh_relay_event_loop_lag_seconds')! >= 0);
    b.terminate();
    a2.terminate();
  });

  it('SIGTERM: stops accepting, tells clients to resume elsewhere (1001), and exits 0', async () => {
    const proc = new RelayProcess();
    await proc.start();
    const c = await WsClient.connect(proc.wsUrl);
    await c.join('bye', 'A');
    const child = proc['child']!;
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal((await c.closed()).code, 1001);
    assert.equal(await exit, 0);
    await assert.rejects(WsClient.connect(proc.wsUrl), 'nothing listens any more');
  });

  it('prints its configuration at start-up with secrets masked', async () => {
    const proc = new RelayProcess({ args: ['--log-level', 'info', '--secret', 'a-very-secret-value-123', '--turn-secret', 'turn-secret-value', '--redis', 'redis://user:pw@127.0.0.1:1'], env: {} });
    await proc.start().catch(() => {});
    const config = proc.output.split('\n').find((l) => l.includes('relay listening'));
    await proc.kill();
    assert.ok(config, proc.output);
    assert.doesNotMatch(config!, /a-very-secret-value-123|turn-secret-value|pw@/);
    assert.match(config!, /"secret":"\*\*\*"/);
  });
});
