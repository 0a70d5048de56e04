import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshChatElement, MeshRoomElement } from '../../components/index.js';
import { cutProxy, disposeProxy, healProxy, sharedRelay, spawnProxy } from '../helpers/browser-relay.js';
import { meshUp, uniqueRoom, until } from './helpers.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe('<mesh-chat>', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  async function twoRooms(nameA = 'Ada', nameB = 'Bob') {
    const room = uniqueRoom('chat');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${room} name=${nameA}><mesh-chat></mesh-chat></mesh-room>
      <mesh-room relay=${relay} room=${room} name=${nameB}><mesh-chat></mesh-chat></mesh-room>
    </div>`);
    const rooms = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    const chats = [...wrap.querySelectorAll('mesh-chat')] as MeshChatElement[];
    await until(() => meshUp(rooms), 'mesh up');
    return { rooms, chats };
  }

  it('renders an accessible log and composer', async () => {
    const el = await fixture<MeshChatElement>(html`<mesh-chat></mesh-chat>`);
    const log = el.shadowRoot!.querySelector('[part="log"]')!;
    expect(log.getAttribute('role')).to.equal('log');
    expect(log.getAttribute('aria-live')).to.equal('polite');
    const input = el.shadowRoot!.querySelector('textarea')!;
    expect(el.shadowRoot!.querySelector(`label[for="${input.id}"]`)).to.exist;
    expect(el.shadowRoot!.querySelector('[part="send-button"]')!.hasAttribute('disabled')).to.equal(true, 'no room: cannot send');
  });

  it('sends with Enter and shows the message on both sides with name and time', async () => {
    const { chats } = await twoRooms();
    const input = chats[0].shadowRoot!.querySelector('textarea')!;
    input.value = 'hello Bob';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await until(() => chats[1].messages.length === 1, 'Bob receives');
    expect(input.value).to.equal('');
    await chats[1].updateComplete;
    const li = chats[1].shadowRoot!.querySelector('[part~="message"]')!;
    expect(li.querySelector('[part="name"]')!.textContent).to.equal('Ada');
    expect(li.querySelector('[part="text"]')!.textContent).to.equal('hello Bob');
    expect(li.querySelector('time')!.getAttribute('datetime')).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(chats[0].messages[0].self).to.equal(true);
  });

  it('marks our message as sending until the relay stores it', async () => {
    const { chats } = await twoRooms();
    chats[0].send('ack me');
    await until(() => chats[0].messages.length === 1 && !chats[0].messages[0].pending, 'acknowledged');
    await chats[0].updateComplete;
    expect(chats[0].shadowRoot!.querySelector('[part="status"]')).to.equal(null);
  });

  it('renders HTML in names and messages as text', async () => {
    const { chats } = await twoRooms('<b onmouseover=alert(1)>Eve</b>', 'Bob');
    chats[0].send(HOSTILE);
    await until(() => chats[1].messages.length === 1, 'received');
    await chats[1].updateComplete;
    const li = chats[1].shadowRoot!.querySelector('[part~="message"]')!;
    expect(li.querySelector('[part="text"]')!.textContent).to.equal(HOSTILE);
    expect(li.querySelector('[part="name"]')!.textContent).to.equal('<b onmouseover=alert(1)>Eve</b>');
    expect(li.querySelector('img, script, b')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('attaches to the room named by its for attribute', async () => {
    const room = uniqueRoom('for');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room id="far-room" relay=${relay} room=${room} name="Ada"></mesh-room>
      <section><mesh-chat for="far-room"></mesh-chat></section>
    </div>`);
    const chat = wrap.querySelector('mesh-chat')!;
    await until(() => chat.room?.state === 'connected', 'attached room connected');
    chat.send('via for');
    expect(chat.messages.map((m) => m.text)).to.deep.equal(['via for']);
  });

  it('shows the history the room already has when it attaches late', async () => {
    const room = uniqueRoom('late');
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${room} name="Ada"></mesh-room>`);
    await until(() => el.state === 'connected', 'connected');
    el.send({ type: 'chat', text: 'before the chat existed' });
    const chat = document.createElement('mesh-chat');
    el.append(chat);
    await chat.updateComplete;
    expect(chat.messages.map((m) => m.text)).to.deep.equal(['before the chat existed']);
  });
});

describe('<mesh-chat> after a reconnect', () => {
  it('tells the user how many messages were caught up (mesh-reconnected)', async () => {
    const relay = (await sharedRelay()).wsUrl;
    const proxy = await spawnProxy();
    try {
      // No direct path between the two (relay-only ICE without TURN): everything goes through the relay.
      const noP2p: RTCConfiguration = { iceTransportPolicy: 'relay', iceServers: [] };
      const room = uniqueRoom('notice');
      const wrap = await fixture<HTMLDivElement>(html`<div>
        <mesh-room relay=${relay} room=${room} name="Ada" .rtcConfig=${noP2p}></mesh-room>
        <mesh-room relay=${proxy.wsUrl} room=${room} name="Bob" .rtcConfig=${noP2p}><mesh-chat></mesh-chat></mesh-room>
      </div>`);
      const [ada, bob] = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
      const chat = bob.querySelector('mesh-chat')!;
      await until(() => ada.state === 'connected' && bob.state === 'connected' && ada.peers.length === 1, 'both in');
      await cutProxy(proxy);
      await until(() => bob.state === 'reconnecting', 'Bob reconnecting');
      for (const text of ['one', 'two', 'three']) ada.send({ type: 'chat', text });
      const reconnected = oneEvent(bob, 'mesh-reconnected');
      await healProxy(proxy);
      const detail = (await reconnected).detail;
      expect([detail.missed, detail.lost]).to.deep.equal([3, 0]);
      await chat.updateComplete;
      const notice = chat.shadowRoot!.querySelector('[part="notice"]')!;
      expect(notice.hasAttribute('hidden')).to.equal(false);
      expect(notice.textContent).to.equal('Reconnected — 3 messages caught up.');
      expect(chat.messages.map((m) => m.text)).to.deep.equal(['one', 'two', 'three']);
    } finally {
      await disposeProxy(proxy);
    }
  });
});
