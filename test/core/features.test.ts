import { expect } from '@open-wc/testing';
import { FEATURES, MeshError, Room, type FeatureLoaders, type RoomOptions } from '../../core/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { until } from '../components/helpers.js';
import { randomId } from '../../core/base/ids.js';

/** The real loaders, counting how often each feature was loaded. */
function counted(): { loaders: FeatureLoaders; loads: Record<string, number> } {
  const loads: Record<string, number> = { media: 0, files: 0, recording: 0 };
  const wrap = <K extends keyof FeatureLoaders>(name: K) => (() => {
    loads[name]++;
    return FEATURES[name]!();
  }) as NonNullable<FeatureLoaders[K]>;
  return { loads, loaders: { media: wrap('media'), files: wrap('files'), recording: wrap('recording') } };
}

describe('Features: installed into a room on first use', () => {
  const rooms: Room[] = [];
  let relay = '';
  const make = (name: string, room: string, loaders: FeatureLoaders, extra: Partial<RoomOptions> = {}) => {
    const r = new Room({ relay, room, name, ...extra }, loaders);
    rooms.push(r);
    return r;
  };

  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });
  afterEach(() => {
    for (const r of rooms.splice(0)) r.close();
  });

  it('a chat-only room loads no feature, and chats peer to peer', async () => {
    const id = `feat-${randomId(6)}`;
    const a = counted();
    const b = counted();
    const ada = make('Ada', id, a.loaders);
    const bob = make('Bob', id, b.loaders);
    await ada.join();
    await bob.join();
    await until(() => ada.peers[0]?.state === 'connected' && bob.peers[0]?.state === 'connected', 'linked');
    ada.send({ text: 'hi' });
    await until(() => bob.history.some((m) => (m.data as { text?: string }).text === 'hi'), 'delivered');
    expect([a.loads, b.loads]).to.deep.equal([{ media: 0, files: 0, recording: 0 }, { media: 0, files: 0, recording: 0 }]);
    expect(ada.localMedia).to.equal(null);
    expect(ada.transfers).to.deep.equal([]);
    expect(ada.recording).to.equal(false);
  });

  it('the first file offered loads files on both sides, once: the receiver holds the offer until it is installed', async () => {
    const id = `feat-${randomId(6)}`;
    const a = counted();
    const b = counted();
    const ada = make('Ada', id, a.loaders);
    const bob = make('Bob', id, b.loaders);
    await ada.join();
    await bob.join();
    await until(() => ada.peers[0]?.state === 'connected' && bob.peers[0]?.state === 'connected', 'linked');
    const offered = new Promise<string>((resolve) => bob.addEventListener('file-offer', (e) => resolve(e.detail.name)));
    const received = new Promise<string>((resolve) => bob.addEventListener('file-received', (e) => resolve(e.detail.blob.type)));
    const fileId = ada.sendFile(new Blob(['hello'], { type: 'text/plain' }), { name: 'a.txt' });
    ada.sendFile(new Blob(['again'], { type: 'text/plain' }), { name: 'b.txt' });
    expect(fileId).to.match(/^[A-Za-z0-9_-]{8,}$/);
    expect(await offered).to.equal('a.txt');
    expect(await received).to.equal('text/plain');
    await until(() => bob.transfers.filter((t) => t.status === 'done').length === 2, 'both files arrived');
    expect([a.loads.files, b.loads.files]).to.deep.equal([1, 1]);
    expect([a.loads.media, a.loads.recording, b.loads.media, b.loads.recording]).to.deep.equal([0, 0, 0, 0]);
  });

  it('a feature that cannot be loaded is reported as feature-unavailable; the room joins and chats without it', async () => {
    const id = `feat-${randomId(6)}`;
    const broken: FeatureLoaders = { media: () => Promise.reject(new Error('chunk 404')), files: () => Promise.reject(new Error('chunk 404')) };
    const ada = make('Ada', id, broken, { media: { audio: true, video: true } });
    const errors: MeshError[] = [];
    ada.addEventListener('error', (e) => errors.push(e.detail));
    await ada.join();
    expect(ada.state).to.equal('connected');
    expect(ada.localMedia).to.equal(null);
    expect(errors.map((e) => e.code)).to.deep.equal(['feature-unavailable']);
    expect(errors[0].message).to.contain('media').and.to.contain('chunk 404');
    const bob = make('Bob', id, FEATURES);
    await bob.join();
    await until(() => ada.peers.length === 1, 'Bob is there');
    ada.sendFile(new Blob(['x']), { name: 'x.bin' });
    await until(() => errors.length === 2, 'the files failure reported too');
    expect(errors[1].code).to.equal('feature-unavailable');
    ada.send({ text: 'still here' });
    await until(() => bob.history.some((m) => (m.data as { text?: string }).text === 'still here'), 'chat works');
  });
});
