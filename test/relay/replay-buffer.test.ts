import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../relay/replay-buffer.js';
import type { StoredMessage } from '../../relay/replay-buffer.js';

const msg = (seq: number, at = 0, bytes = 10): StoredMessage => ({ seq, from: 'p', n: seq, at, bytes, json: '' });

describe('ReplayBuffer', () => {
  it('keeps the newest messages up to the count limit', () => {
    const b = new ReplayBuffer({ maxMessages: 50, maxBytes: 1e9, maxAgeMs: 1e9 });
    for (let s = 1; s <= 80; s++) b.append(msg(s), 0);
    assert.equal(b.size, 50);
    assert.equal(b.firstSeq, 31);
    assert.deepEqual(b.since(0, 0).map((m) => m.seq), Array.from({ length: 50 }, (_, i) => 31 + i));
  });

  it('keeps at most maxBytes of data', () => {
    const b = new ReplayBuffer({ maxMessages: 1000, maxBytes: 35, maxAgeMs: 1e9 });
    for (let s = 1; s <= 10; s++) b.append(msg(s, 0, 10), 0);
    assert.equal(b.size, 3);
    assert.equal(b.bytes, 30);
  });

  it('drops messages older than maxAgeMs (5 minutes by default in the relay)', () => {
    const b = new ReplayBuffer({ maxMessages: 1000, maxBytes: 1e9, maxAgeMs: 300_000 });
    b.append(msg(1, 0), 0);
    b.append(msg(2, 200_000), 200_000);
    assert.deepEqual(b.since(0, 299_999).map((m) => m.seq), [1, 2]);
    assert.deepEqual(b.since(0, 300_001).map((m) => m.seq), [2]);
    assert.deepEqual(b.since(0, 600_000), []);
    assert.equal(b.firstSeq, 3, 'an empty buffer still knows where the sequence is');
  });

  it('returns exactly the messages after a sequence number', () => {
    const b = new ReplayBuffer({ maxMessages: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    for (let s = 1; s <= 25; s++) b.append(msg(s), 0);
    assert.deepEqual(b.since(20, 0).map((m) => m.seq), [21, 22, 23, 24, 25]);
    assert.deepEqual(b.since(25, 0), []);
    assert.deepEqual(b.since(3, 0).map((m) => m.seq)[0], 16, 'asked for evicted ones: what is left');
  });

  it('finds a message by sender and number', () => {
    const b = new ReplayBuffer({ maxMessages: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    for (let s = 1; s <= 5; s++) b.append(msg(s), 0);
    assert.equal(b.find('p', 3)?.seq, 3);
    assert.equal(b.find('q', 3), undefined);
  });
});
