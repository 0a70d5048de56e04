import { expect } from '@open-wc/testing';
import { MeshError, Room, type FileTransfer, type RoomOptions } from '../../core/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { until } from '../components/helpers.js';
import { randomId } from '../../core/base/ids.js';
import { decodeChunk } from '../../core/files/file-frames.js';

/** `size` random bytes as a Blob. */
function randomBlob(size: number, type = 'application/octet-stream'): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < size; at += 65536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - at))));
  return new Blob(parts, { type });
}

async function sha256Hex(blob: Blob): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const allLinksUp = (rooms: Room[]) => rooms.every((r) => r.peers.length === rooms.length - 1 && r.peers.every((p) => p.state === 'connected'));

/** Statuses a room's transfer `id` went through (with `peer` for outgoing ones). */
function statusLog(room: Room): Map<string, string[]> {
  const log = new Map<string, string[]>();
  room.addEventListener('file-update', (e) => {
    const key = `${e.detail.direction}:${e.detail.peer}`;
    const list = log.get(key) ?? [];
    if (list.at(-1) !== e.detail.status) list.push(e.detail.status);
    log.set(key, list);
  });
  return log;
}

const find = (room: Room, pred: (t: FileTransfer) => boolean) => room.transfers.find(pred);

describe('File transfer', () => {
  const rooms: Room[] = [];
  let relayUrl = '';
  const make = (name: string, room: string, extra: Partial<RoomOptions> = {}) => {
    const r = new Room({ relay: relayUrl, room, name, ...extra });
    rooms.push(r);
    return r;
  };
  /** Rooms joined into one mesh; `extra` is every member's options, or one per member. */
  const meshOf = async (names: string[], extra: Partial<RoomOptions> | Array<Partial<RoomOptions>> = {}) => {
    const id = `f-${randomId(6)}`;
    const members = names.map((n, i) => make(n, id, Array.isArray(extra) ? extra[i] : extra));
    for (const r of members) await r.join();
    await until(() => allLinksUp(members), 'full mesh');
    return members;
  };
  before(async () => {
    relayUrl = (await sharedRelay()).wsUrl;
  });
  afterEach(() => {
    for (const r of rooms.splice(0)) r.close();
  });

  it('sends 5 MB peer to peer: the receiver gets the same bytes and SHA-256, with progress and speed on both sides', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob'], { files: { autoAcceptBytes: 0 } });
    const file = randomBlob(5 * 1024 * 1024, 'application/x-test');
    const offers: FileTransfer[] = [];
    b.addEventListener('file-offer', (e) => offers.push(e.detail));
    const progress: FileTransfer[] = [];
    a.addEventListener('file-update', (e) => progress.push(e.detail));
    b.addEventListener('file-update', (e) => progress.push(e.detail));
    const received = new Promise<{ transfer: FileTransfer; blob: Blob }>((resolve) => b.addEventListener('file-received', (e) => resolve(e.detail)));
    const id = a.sendFile(file, { name: 'data.bin' });
    await until(() => offers.length === 1, 'the offer');
    expect(offers[0]).to.include({ id, name: 'data.bin', size: file.size, type: 'application/x-test', status: 'offered', direction: 'in', peer: a.selfId });
    b.acceptFile(id);
    const { transfer, blob } = await received;
    expect(transfer.status).to.equal('done');
    expect(blob.size).to.equal(file.size);
    expect(blob.type).to.equal('application/x-test');
    expect(await sha256Hex(blob)).to.equal(await sha256Hex(file));
    await until(() => find(a, (t) => t.id === id)?.status === 'done', 'the sender sees done');
    expect(b.fileBlob(id)).to.equal(blob);
    // Both sides reported progress in between, with a speed.
    for (const dir of ['in', 'out']) {
      const mid = progress.filter((p) => p.direction === dir && p.bytes > 0 && p.bytes < file.size);
      expect(mid.length, `${dir} progress`).to.be.greaterThan(0);
    }
    expect(progress.some((p) => p.bytesPerSecond !== null && p.bytesPerSecond > 0 && p.secondsLeft !== null)).to.equal(true);
  });

  it('sends one file to three receivers at once, each verified', async () => {
    const [a, ...receivers] = await meshOf(['A', 'B', 'C', 'D'], { files: { autoAcceptBytes: 4 * 1024 * 1024 } });
    const file = randomBlob(3 * 1024 * 1024 + 12345);
    const want = await sha256Hex(file);
    const got = receivers.map((r) => new Promise<Blob>((resolve) => r.addEventListener('file-received', (e) => resolve(e.detail.blob))));
    const id = a.sendFile(file, { name: 'three.bin' });
    const blobs = await Promise.all(got);
    for (const blob of blobs) expect(await sha256Hex(blob)).to.equal(want);
    await until(() => a.transfers.filter((t) => t.id === id && t.status === 'done').length === 3, 'three deliveries done');
  });

  it('a connection replaced mid-transfer resumes from the last chunk held, with no corrupted or repeated bytes', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob'], { files: { autoAcceptBytes: 64 * 1024 * 1024 } });
    const file = randomBlob(24 * 1024 * 1024);
    const log = statusLog(b);
    const received = new Promise<Blob>((resolve) => b.addEventListener('file-received', (e) => resolve(e.detail.blob)));
    const id = a.sendFile(file, { name: 'resume.bin' });
    await until(() => (find(b, (t) => t.id === id)?.bytes ?? 0) > 2 * 1024 * 1024, 'a part arrived');
    // Fault: Bob's connection dies under the transfer; both sides build a new one.
    const created = a.linkTo(b.selfId)!.connectionsCreated + b.linkTo(a.selfId)!.connectionsCreated;
    b.linkTo(a.selfId)!.connection!.close();
    const blob = await received;
    expect(await sha256Hex(blob)).to.equal(await sha256Hex(file));
    expect(a.linkTo(b.selfId)!.connectionsCreated + b.linkTo(a.selfId)!.connectionsCreated).to.be.greaterThan(created);
    expect(log.get(`in:${a.selfId}`)).to.include('paused');
    expect(log.get(`in:${a.selfId}`)!.at(-1)).to.equal('done');
  });

  /**
   * A browser whose file channels lose chunks while staying open (the fault Firefox ESR 140
   * showed): each `[index, nth]` loses the nth arrival of chunk `index`.
   */
  const lossyBrowser = (lose: Array<[number, number]>) => class extends RTCPeerConnection {
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const ch = super.createDataChannel(label, init);
      if (label === 'files') {
        const arrivals = new Map<number, number>();
        // Added before the link's own handler, so it can keep a message from reaching it.
        ch.addEventListener('message', (e) => {
          const chunk = typeof e.data === 'string' ? null : decodeChunk(e.data as ArrayBuffer);
          if (!chunk) return;
          const nth = (arrivals.get(chunk.index) ?? 0) + 1;
          arrivals.set(chunk.index, nth);
          if (lose.some(([index, n]) => index === chunk.index && n === nth)) e.stopImmediatePropagation();
        });
      }
      return ch;
    }
  };

  const CHUNK = 16 * 1024;
  const gapCases: Array<[string, number, Array<[number, number]>]> = [
    ['a chunk in the middle', 20, [[5, 1]]],
    ['the last chunk', 20, [[19, 1]]],
    // 80 chunks: far beyond the sender's window of 32, so only asking again brings the chunk.
    ['a chunk, and the same chunk sent again, far from the end', 80, [[5, 1], [5, 2]]],
  ];
  for (const [what, chunks, lose] of gapCases) {
    it(`a channel that loses ${what} without closing: the receiver asks from the gap, and the file arrives intact`, async () => {
      const files = { autoAcceptBytes: 4 * 1024 ** 2, chunkBytes: CHUNK };
      const [a, b] = await meshOf(['Ada', 'Bob'], [{ files }, { files, RTCPeerConnection: lossyBrowser(lose) }]);
      const file = randomBlob(chunks * CHUNK);
      const log = statusLog(b);
      const sent = statusLog(a);
      const received = new Promise<Blob>((resolve) => b.addEventListener('file-received', (e) => resolve(e.detail.blob)));
      a.sendFile(file, { name: 'gap.bin' });
      const blob = await received;
      expect(await sha256Hex(blob)).to.equal(await sha256Hex(file));
      expect(log.get(`in:${a.selfId}`)).to.deep.equal(['active', 'verifying', 'done']);
      await until(() => sent.get(`out:${b.selfId}`)?.at(-1) === 'done', 'the sender hears the verdict');
    });
  }

  it('the sender cancels: the receiver sees file-cancelled and keeps nothing', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob'], { files: { autoAcceptBytes: 64 * 1024 * 1024 } });
    const id = a.sendFile(randomBlob(48 * 1024 * 1024), { name: 'big.bin' });
    await until(() => (find(b, (t) => t.id === id)?.bytes ?? 0) > 0, 'first bytes');
    a.cancelFile(id);
    await until(() => find(b, (t) => t.id === id)?.status === 'cancelled', 'receiver cancelled');
    expect(find(b, (t) => t.id === id)!.error!.code).to.equal('file-cancelled');
    expect(find(a, (t) => t.id === id)!.status).to.equal('cancelled');
    expect(b.fileBlob(id)).to.equal(null);
  });

  it('the receiver cancels, or declines: the sender sees file-cancelled / file-rejected', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob'], { files: { autoAcceptBytes: 0 } });
    const one = a.sendFile(randomBlob(48 * 1024 * 1024), { name: 'one.bin' });
    await until(() => find(b, (t) => t.id === one)?.status === 'offered', 'offer one');
    b.acceptFile(one);
    await until(() => (find(b, (t) => t.id === one)?.bytes ?? 0) > 0, 'first bytes');
    b.cancelFile(one);
    await until(() => find(a, (t) => t.id === one)?.status === 'cancelled', 'sender sees the cancel');
    expect(find(a, (t) => t.id === one)!.error!.code).to.equal('file-cancelled');

    const two = a.sendFile(randomBlob(1000), { name: 'two.txt' });
    await until(() => find(b, (t) => t.id === two)?.status === 'offered', 'offer two');
    b.rejectFile(two);
    await until(() => find(a, (t) => t.id === two)?.status === 'rejected', 'sender sees the rejection');
    expect(find(a, (t) => t.id === two)!.error!.code).to.equal('file-rejected');
  });

  it('an oversized file is refused with file-too-large, by the sender and by a stricter receiver', async () => {
    const [a] = await meshOf(['Ada', 'Bob'], { files: { maxFileBytes: 1024 * 1024 } });
    let thrown: unknown;
    try {
      a.sendFile(randomBlob(1024 * 1024 + 1), { name: 'too-big.bin' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(MeshError);
    expect((thrown as MeshError).code).to.equal('file-too-large');
    expect(a.transfers).to.have.length(0);
    // A sender allowing more meets a receiver allowing less.
    const [c, d] = await meshOf(['Cy', 'Di'], [{ files: { maxFileBytes: 8 * 1024 * 1024 } }, { files: { maxFileBytes: 1024 * 1024, autoAcceptBytes: 0 } }]);
    const id = c.sendFile(randomBlob(2 * 1024 * 1024), { name: 'mid.bin' });
    await until(() => find(c, (t) => t.id === id)?.status === 'rejected', 'rejected by the receiver');
    expect(find(c, (t) => t.id === id)!.error!.code).to.equal('file-too-large');
    expect(find(d, (t) => t.id === id)!.status).to.equal('rejected');
  });

  it('the sender leaves mid-transfer: the receiver sees "interrupted"', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob'], { files: { autoAcceptBytes: 64 * 1024 * 1024 } });
    const id = a.sendFile(randomBlob(48 * 1024 * 1024), { name: 'gone.bin' });
    await until(() => (find(b, (t) => t.id === id)?.bytes ?? 0) > 0, 'first bytes');
    const sender = find(a, (t) => t.id === id)!;
    a.leave();
    await until(() => find(b, (t) => t.id === id)?.status === 'interrupted', 'receiver told');
    expect(find(b, (t) => t.id === id)!.error!.code).to.equal('file-interrupted');
    expect(b.fileBlob(id)).to.equal(null);
    expect(sender.peer).to.equal(b.selfId);
  });

  it('ignores malformed file frames from a peer', async () => {
    const [a, b] = await meshOf(['Ada', 'Bob']);
    const ch = a.linkTo(b.selfId)!.fileChannel!;
    ch.send('not json');
    ch.send(JSON.stringify({ t: 'offer', id: 'x', name: '', size: -1 }));
    ch.send(JSON.stringify({ t: 'offer', id: 'abcdefgh12', name: 'n', size: 10, type: '', chunkSize: 999_999_999 }));
    ch.send(new Uint8Array([200, 1, 2, 3]).buffer);
    ch.send(new ArrayBuffer(0));
    const good = new Promise<Blob>((resolve) => b.addEventListener('file-received', (e) => resolve(e.detail.blob)));
    a.sendFile(new Blob(['hello']), { name: 'after.txt' });
    expect(await (await good).text()).to.equal('hello');
    expect(b.transfers).to.have.length(1);
  });
});
