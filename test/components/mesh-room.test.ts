import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshRoomElement } from '../../components/index.js';
import { disposeRelay, roomToken, sharedRelay, spawnRelay } from '../helpers/browser-relay.js';
import { meshUp, uniqueRoom, until } from './helpers.js';

describe('<mesh-room>', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  it('is defined, and stays idle without room and name', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay}></mesh-room>`);
    expect(customElements.get('mesh-room')).to.equal(el.constructor);
    expect(el.state).to.equal('idle');
    expect(el.core).to.equal(null);
  });

  it('joins by itself once room and name are set, and reflects state as an attribute', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay}></mesh-room>`);
    const changed = oneEvent(el, 'mesh-state-change');
    el.setAttribute('room', uniqueRoom());
    el.setAttribute('name', 'Ada');
    expect((await changed).detail.to).to.equal('connecting');
    await until(() => el.state === 'connected', 'connected');
    await el.updateComplete;
    expect(el.getAttribute('state')).to.equal('connected');
    expect(el.selfId).to.be.a('string');
  });

  it('fires mesh-peer-join and delivers mesh-message between two elements', async () => {
    const room = uniqueRoom();
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${room} name="Ada"></mesh-room>
      <mesh-room relay=${relay} room=${room} name="Bob"></mesh-room>
    </div>`);
    const [a, b] = [...wrap.querySelectorAll('mesh-room')];
    await until(() => meshUp([a, b]), 'mesh up');
    expect(a.peers.map((p) => p.name)).to.deep.equal(['Bob']);
    const got = oneEvent(b, 'mesh-message');
    a.send({ hello: 1 });
    const ev = await got;
    expect(ev.detail.data).to.deep.equal({ hello: 1 });
    expect(ev.detail.name).to.equal('Ada');
    expect(ev.bubbles && ev.composed).to.equal(true);
  });

  it('mode="sfu" on a relay without an SFU: says sfu-unavailable and stays a working mesh', async () => {
    const room = uniqueRoom();
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${room} mode="sfu"></mesh-room>
      <mesh-room relay=${relay} room=${room} mode="sfu"></mesh-room>
    </div>`);
    const [a, b] = [...wrap.querySelectorAll('mesh-room')];
    const errors: string[] = [];
    a.addEventListener('mesh-error', (e) => errors.push((e as CustomEvent).detail.code));
    a.name = 'Ada';
    b.name = 'Bob';
    expect(a.mode).to.equal('sfu');
    await until(() => meshUp([a, b]), 'mesh up');
    await until(() => errors.includes('sfu-unavailable'), 'sfu-unavailable reported');
    expect(errors).to.deep.equal(['sfu-unavailable']);
    expect(a.peers.map((p) => p.transport)).to.deep.equal(['mesh']);
    await a.updateComplete;
    expect(a.shadowRoot!.querySelector('[part="media-error"]')!.textContent).to.match(/video server/);
    const got = oneEvent(b, 'mesh-message');
    a.send('still here');
    expect((await got).detail.data).to.equal('still here');
    expect(a.state).to.equal('connected');
  });

  it('refuses an unknown mode with invalid-option', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} mode="star"></mesh-room>`);
    const failed = oneEvent(el, 'mesh-error');
    el.setAttribute('room', uniqueRoom());
    el.setAttribute('name', 'Ada');
    expect((await failed).detail.code).to.equal('invalid-option');
    await until(() => el.state === 'failed', 'failed');
  });

  it('shows why joining failed and fires mesh-error with a code', async () => {
    const room = uniqueRoom();
    await fixture(html`<mesh-room relay=${relay} room=${room} name="Henry"></mesh-room>`);
    await until(() => document.querySelector('mesh-room')?.state === 'connected', 'first connected');
    const el = document.createElement('mesh-room');
    el.setAttribute('relay', relay);
    el.setAttribute('room', room);
    el.setAttribute('name', 'HENRY');
    const err = oneEvent(el, 'mesh-error');
    document.body.append(el);
    try {
      expect((await err).detail.code).to.equal('name-taken');
      await until(() => el.state === 'failed', 'failed');
      await el.updateComplete;
      const alert = el.shadowRoot!.querySelector('[part="error"]')!;
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.textContent).to.contain('already used');
    } finally {
      el.remove();
    }
  });

  it('leaves when removed from the document, and others are told', async () => {
    const room = uniqueRoom();
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${room} name="A"></mesh-room>
      <mesh-room relay=${relay} room=${room} name="B"></mesh-room>
    </div>`);
    const [a, b] = [...wrap.querySelectorAll('mesh-room')];
    await until(() => meshUp([a, b]), 'mesh up');
    const left = oneEvent(a, 'mesh-peer-leave');
    b.remove();
    expect((await left).detail.reason).to.equal('leave');
    expect(b.state).to.equal('closed');
    expect(a.peers).to.deep.equal([]);
  });

  it('joins again when it is put back into the page after being removed', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom()} name="Re"></mesh-room>`);
    await until(() => el.state === 'connected', 'connected');
    const parent = el.parentElement!;
    el.remove();
    expect(el.state).to.equal('closed');
    parent.append(el);
    await until(() => el.state === 'connected', 'connected again');
  });

  it('stays failed after a refusal, and joins once the name is fixed', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom()} name=${'\u0000'}></mesh-room>`);
    await until(() => el.state === 'failed', 'refused');
    expect(el.error?.code).to.equal('invalid-name');
    el.name = 'Fixed';
    await until(() => el.state === 'connected', 'connected with the new name');
    expect(el.error).to.equal(null);
  });

  describe('in a room that needs a token', () => {
    const SECRET = 'a-secret-for-the-browser-tests';
    it('is refused without a token, joins with one, and takes a new token without rejoining', async () => {
      const protectedRelay = await spawnRelay(['--secret', SECRET]);
      try {
        const room = uniqueRoom('vip');
        const denied = await fixture<MeshRoomElement>(html`<mesh-room relay=${protectedRelay.wsUrl} room=${room} name="Ada"></mesh-room>`);
        await until(() => denied.state === 'failed', 'refused');
        expect(denied.error?.code).to.equal('token-invalid');
        await denied.updateComplete;
        expect(denied.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('not valid');

        const token = await roomToken({ secret: SECRET, room, name: 'Bob', ttlSeconds: 60 });
        const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${protectedRelay.wsUrl} room=${room} name="Bob" token=${token}></mesh-room>`);
        await until(() => el.state === 'connected', 'admitted');
        const id = el.selfId;
        el.token = await roomToken({ secret: SECRET, room, name: 'Bob', ttlSeconds: 3600 });
        await el.updateComplete;
        expect([el.state, el.selfId]).to.deep.equal(['connected', id]);
      } finally {
        await disposeRelay(protectedRelay);
      }
    });
  });

  it('joins again after leave() when join() is called', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom()} name="Z"></mesh-room>`);
    await until(() => el.state === 'connected', 'connected');
    el.leave();
    expect(el.state).to.equal('closed');
    await el.join();
    expect(el.state).to.equal('connected');
  });
});
