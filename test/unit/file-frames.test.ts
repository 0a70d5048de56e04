import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunk, encodeChunk, parseFileFrame } from '../../core/files/file-frames.js';
import { TRANSFER_TRANSITIONS, FINAL_STATUSES } from '../../core/files/file-types.js';
import { StateMachine } from '../../core/base/state-machine.js';
import { MeshError } from '../../core/base/errors.js';

describe('file frames', () => {
  it('a chunk survives encoding: id, index and every byte', () => {
    const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
    const out = decodeChunk(encodeChunk('abcdefgh-123', 70_000, bytes.buffer));
    assert.ok(out);
    assert.equal(out.id, 'abcdefgh-123');
    assert.equal(out.index, 70_000);
    assert.deepEqual([...out.bytes], [...bytes]);
  });

  it('rejects binary messages that are not chunks', () => {
    assert.equal(decodeChunk(new ArrayBuffer(0)), null);
    assert.equal(decodeChunk(new Uint8Array([3, 97, 98, 99, 0, 0, 0, 1]).buffer), null, 'id too short');
    assert.equal(decodeChunk(new Uint8Array([12, 97, 98]).buffer), null, 'truncated');
    const bad = new Uint8Array(20);
    bad[0] = 10;
    bad.set([60, 115, 99, 114, 105, 112, 116, 62, 60, 47], 1); // "<script></"
    assert.equal(decodeChunk(bad.buffer), null, 'id with characters outside [A-Za-z0-9_-]');
  });

  it('parses well-formed control frames and nothing else', () => {
    assert.deepEqual(parseFileFrame(JSON.stringify({ t: 'offer', id: 'abcdefgh', name: 'a.txt', size: 10, type: 'text/plain', chunkSize: 65536 })),
      { t: 'offer', id: 'abcdefgh', name: 'a.txt', size: 10, type: 'text/plain', chunkSize: 65536 });
    assert.deepEqual(parseFileFrame(JSON.stringify({ t: 'accept', id: 'abcdefgh', from: 3 })), { t: 'accept', id: 'abcdefgh', from: 3 });
    assert.deepEqual(parseFileFrame(JSON.stringify({ t: 'end', id: 'abcdefgh', digest: 'a'.repeat(64) })), { t: 'end', id: 'abcdefgh', digest: 'a'.repeat(64) });
    for (const bad of [
      'not json', 'null', '[]', '{}',
      JSON.stringify({ t: 'offer', id: 'abcdefgh', name: '', size: 10, type: '', chunkSize: 65536 }),
      JSON.stringify({ t: 'offer', id: 'abcdefgh', name: 'x', size: -1, type: '', chunkSize: 65536 }),
      JSON.stringify({ t: 'offer', id: 'abcdefgh', name: 'x', size: 1, type: '', chunkSize: 10 ** 9 }),
      JSON.stringify({ t: 'offer', id: 'abcdefgh', name: 'x'.repeat(256), size: 1, type: '', chunkSize: 65536 }),
      JSON.stringify({ t: 'accept', id: 'short', from: 0 }),
      JSON.stringify({ t: 'accept', id: 'abcdefgh', from: 1.5 }),
      JSON.stringify({ t: 'reject', id: 'abcdefgh', reason: '<b>' }),
      JSON.stringify({ t: 'end', id: 'abcdefgh', digest: 'zz' }),
      JSON.stringify({ t: 'result', id: 'abcdefgh', ok: 'yes' }),
      JSON.stringify({ t: 'unknown', id: 'abcdefgh' }),
    ]) assert.equal(parseFileFrame(bad), null, bad);
  });

  it('transfer states follow their table; ends are final; an illegal move throws', () => {
    for (const s of FINAL_STATUSES) assert.deepEqual(TRANSFER_TRANSITIONS[s], [], s);
    const m = new StateMachine('offered', TRANSFER_TRANSITIONS, () => {}, 'transfer');
    m.to('active', 'accepted');
    m.to('paused', 'channel closed');
    m.to('active', 'resumed');
    m.to('verifying', 'all chunks');
    m.to('done', 'verified');
    assert.throws(() => m.to('active', 'after done'), (e: unknown) => e instanceof MeshError && e.code === 'illegal-transition');
    assert.throws(() => new StateMachine('offered', TRANSFER_TRANSITIONS, () => {}).to('done', 'skipping'), MeshError);
  });
});
