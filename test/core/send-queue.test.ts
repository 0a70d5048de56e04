import { expect } from '@open-wc/testing';
import { SendQueue } from '../../core/link/send-queue.js';

/** A real pair of connected data channels in this page. */
async function channelPair(): Promise<{ tx: RTCDataChannel; rx: RTCDataChannel; close(): void }> {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const tx = a.createDataChannel('q', { negotiated: true, id: 0 });
  const rx = b.createDataChannel('q', { negotiated: true, id: 0 });
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  return { tx, rx, close: () => { a.close(); b.close(); } };
}

describe('SendQueue', () => {
  it('holds 1 MB while the channel is not open, then writes it in order without exceeding the high-water mark', async () => {
    const limits = { maxFrames: 1000, highWaterBytes: 256 * 1024, lowWaterBytes: 64 * 1024 };
    const queue = new SendQueue(limits);
    const frame = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(16 * 1024 - 20) });
    for (let i = 0; i < 64; i++) queue.push(frame(i), false);
    expect(queue.length).to.equal(64);

    const { tx, rx, close } = await channelPair();
    try {
      const got: number[] = [];
      let bytes = 0;
      const done = new Promise<void>((resolve) => {
        rx.onmessage = (e) => {
          got.push(JSON.parse(e.data).i);
          bytes += e.data.length;
          if (got.length === 64) resolve();
        };
      });
      // Observe the real channel: the buffered amount each time the queue writes.
      let highest = 0;
      const send = tx.send.bind(tx);
      tx.send = ((data: string) => {
        highest = Math.max(highest, tx.bufferedAmount);
        send(data);
      }) as typeof tx.send;
      if (tx.readyState !== 'open') await new Promise((r) => tx.addEventListener('open', r, { once: true }));
      queue.attach(tx);
      await done;
      expect(got).to.deep.equal(Array.from({ length: 64 }, (_, i) => i));
      expect(bytes).to.be.greaterThan(1024 * 1024 - 2048);
      expect(highest).to.be.at.most(limits.highWaterBytes);
      expect(queue.length).to.equal(0);
    } finally {
      close();
    }
  });

  it('drops the oldest best-effort frame first when full, never a durable one while a droppable one is queued', async () => {
    const queue = new SendQueue({ maxFrames: 3, highWaterBytes: 1024 * 1024, lowWaterBytes: 0 });
    queue.push('"durable-1"', false);
    queue.push('"volatile-1"', true);
    queue.push('"durable-2"', false);
    queue.push('"durable-3"', false);
    expect(queue.length).to.equal(3);
    expect(queue.dropped).to.equal(1);
    const { tx, rx, close } = await channelPair();
    try {
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        rx.onmessage = (e) => { got.push(JSON.parse(e.data)); if (got.length === 3) resolve(); };
      });
      if (tx.readyState !== 'open') await new Promise((r) => tx.addEventListener('open', r, { once: true }));
      queue.attach(tx);
      await done;
      expect(got).to.deep.equal(['durable-1', 'durable-2', 'durable-3']);
    } finally {
      close();
    }
  });

  it('writes durable frames the remote has not confirmed again on the next channel, first and in order; confirmed and droppable ones never', async () => {
    const queue = new SendQueue();
    const first = await channelPair();
    const second = await channelPair();
    try {
      for (const { tx } of [first, second]) if (tx.readyState !== 'open') await new Promise((r) => tx.addEventListener('open', r, { once: true }));
      const arrived = (rx: RTCDataChannel, count: number) => new Promise<string[]>((resolve) => {
        const got: string[] = [];
        rx.onmessage = (e) => { got.push(JSON.parse(e.data)); if (got.length === count) resolve(got); };
      });
      const onFirst = arrived(first.rx, 4);
      queue.attach(first.tx);
      queue.push('"durable-1"', false);
      const mark = queue.written;
      queue.push('"volatile-1"', true);
      queue.push('"durable-2"', false);
      queue.push('"durable-3"', false);
      expect(await onFirst).to.deep.equal(['durable-1', 'volatile-1', 'durable-2', 'durable-3']);
      queue.confirm(mark); // the remote answered a beat written after durable-1 only
      // The first channel's connection fails: the next channel gets what was not confirmed.
      first.close();
      queue.detach();
      expect(queue.length).to.equal(2);
      queue.push('"durable-4"', false);
      const onSecond = arrived(second.rx, 3);
      queue.attach(second.tx);
      expect(await onSecond).to.deep.equal(['durable-2', 'durable-3', 'durable-4']);
      queue.confirm(queue.written);
      queue.detach();
      expect(queue.length, 'all confirmed: nothing to write again').to.equal(0);
    } finally {
      first.close();
      second.close();
    }
  });
});
