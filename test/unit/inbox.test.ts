import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox, type Arrival } from '../../core/delivery/inbox.js';
import { SentLog } from '../../core/delivery/sent-log.js';
import { Outbox } from '../../core/delivery/outbox.js';

const a = (n: number, from = 'x'): Arrival => ({ from, n, data: n, sentAt: 0 });
const ns = (list: Arrival[]) => list.map((m) => m.n);

describe('Inbox', () => {
  it('delivers each message once, whichever path brings it first', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('x', 1);
    assert.deepEqual(ns(inbox.receive(a(1))), [1]);
    assert.deepEqual(ns(inbox.receive(a(1))), []);
    assert.deepEqual(ns(inbox.receive(a(2))), [2]);
    assert.deepEqual(ns(inbox.receive(a(2))), []);
    assert.equal(inbox.duplicates, 2);
  });

  it('holds a message that arrives early until the ones before it are in', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('x', 1);
    assert.deepEqual(ns(inbox.receive(a(3))), []);
    assert.deepEqual(ns(inbox.receive(a(2))), []);
    assert.deepEqual(ns(inbox.receive(a(3))), [], 'a duplicate of a held one');
    assert.deepEqual(ns(inbox.receive(a(1))), [1, 2, 3]);
  });

  it('keeps senders independent', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('x', 1);
    inbox.anchor('y', 1);
    assert.deepEqual(ns(inbox.receive(a(2, 'x'))), []);
    assert.deepEqual(ns(inbox.receive(a(1, 'y'))), [1]);
  });

  it('reports a gap between what was received and what the relay says exists', () => {
    let now = 100;
    const inbox = new Inbox(() => now);
    inbox.anchor('x', 1);
    inbox.receive(a(1));
    assert.deepEqual(inbox.gaps(), []);
    inbox.expect('x', 4);
    assert.deepEqual(inbox.gaps(), [{ from: 'x', fromN: 2, toN: 4, since: 100 }]);
    now = 200;
    inbox.receive(a(4));
    assert.deepEqual(inbox.gaps(), [{ from: 'x', fromN: 2, toN: 3, since: 100 }]);
    inbox.receive(a(2));
    inbox.receive(a(3));
    assert.deepEqual(inbox.gaps(), []);
  });

  it('gives up a range on request and delivers what waited behind it', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('x', 1);
    inbox.receive(a(5));
    inbox.receive(a(6));
    const { lost, delivered } = inbox.skip('x', 4);
    assert.equal(lost, 4);
    assert.deepEqual(ns(delivered), [5, 6]);
    assert.deepEqual(ns(inbox.receive(a(3))), [], 'a straggler after the skip is not delivered out of order');
  });

  it('anchors a sender at its first message when nothing is known (history on a fresh join)', () => {
    const inbox = new Inbox(() => 0);
    assert.deepEqual(ns(inbox.receive(a(31))), [31]);
    assert.deepEqual(ns(inbox.receive(a(32))), [32]);
    assert.equal(inbox.knows('x'), true);
  });

  it('a later anchor moves a sender forward only past nothing held', () => {
    const inbox = new Inbox(() => 0);
    inbox.anchor('x', 1);
    inbox.receive(a(3));
    inbox.anchor('x', 10);
    assert.deepEqual(inbox.gaps().map((g) => [g.fromN, g.toN]), [[1, 2]]);
  });
});

describe('SentLog', () => {
  it('returns held messages of a range and names the parts no longer held', () => {
    const log = new SentLog({ maxMessages: 5, maxBytes: 1e9 });
    for (let n = 1; n <= 8; n++) log.add({ n, data: n, sentAt: 0, bytes: 1 });
    const { messages, missing } = log.range(2, 7);
    assert.deepEqual(messages.map((m) => m.n), [4, 5, 6, 7]);
    assert.deepEqual(missing, [[2, 3]]);
    assert.deepEqual(log.range(8, 10).missing, [[9, 10]]);
  });
});

describe('Outbox', () => {
  it('keeps entries until acknowledged, in order, and refuses more than its limit', () => {
    const box = new Outbox({ maxMessages: 3, maxBytes: 1e9 });
    box.add(1, 'a', 0);
    box.add(2, 'b', 0);
    box.add(3, 'c', 0);
    assert.throws(() => box.add(4, 'd', 0), (e: { code?: string }) => e.code === 'outbox-full');
    assert.equal(box.ack(2), true);
    assert.equal(box.ack(2), false, 'a repeated ack changes nothing');
    assert.deepEqual(box.pending().map((e) => e.n), [1, 3]);
    assert.equal(box.ackedN, 2);
    box.add(4, 'd', 0);
    assert.equal(box.size, 3);
  });

  it('also bounds bytes', () => {
    const box = new Outbox({ maxMessages: 100, maxBytes: 20 });
    box.add(1, 'x'.repeat(10), 0);
    assert.throws(() => box.add(2, 'x'.repeat(10), 0), (e: { code?: string }) => e.code === 'outbox-full');
  });
});
