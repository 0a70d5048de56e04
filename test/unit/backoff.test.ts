import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF } from '../../core/base/backoff.js';

describe('backoffDelay', () => {
  it('caps the first retry at 250 ms, then doubles from 1 s up to 30 s', () => {
    const caps = Array.from({ length: 10 }, (_, i) => backoffDelay(i, DEFAULT_BACKOFF, () => 0.9999999));
    assert.deepEqual(caps, [249, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999, 29999]);
  });

  it('spreads retries over the whole range (full jitter)', () => {
    assert.equal(backoffDelay(5, DEFAULT_BACKOFF, () => 0), 0);
    assert.equal(backoffDelay(5, DEFAULT_BACKOFF, () => 0.5), 8000);
  });

  it('stays bounded for huge attempt numbers', () => {
    assert.equal(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0.9999999), 29999);
  });
});
