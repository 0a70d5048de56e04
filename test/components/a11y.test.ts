import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshChatElement, MeshRoomElement } from '../../components/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { meshUp, uniqueRoom, until } from './helpers.js';

describe('accessibility (axe)', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  it('an idle chat and badge have no violations', async () => {
    const el = await fixture(html`<div><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></div>`);
    await expect(el).to.be.accessible();
  });

  it('a connected room with messages, badge, video grid and controls has no violations', async () => {
    const id = uniqueRoom('axe');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${id} name="Ada" media="audio video"><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob" media="audio video"></mesh-room>
    </div>`);
    const rooms = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    await until(() => meshUp(rooms) && rooms.every((r) => r.peers[0].stream), 'mesh with video');
    const chat = wrap.querySelector('mesh-chat') as MeshChatElement;
    chat.send('hello');
    rooms[1].send({ type: 'chat', text: 'hi' });
    await until(() => chat.messages.length === 2, 'messages');
    await chat.updateComplete;
    await expect(rooms[0]).to.be.accessible();
  });

  it('a failed room explains itself without violations', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('axe')} name=${'\u0000'}><mesh-status-badge></mesh-status-badge></mesh-room>`);
    await until(() => el.state === 'failed', 'failed');
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('the chat is keyboard operable: Enter sends, Shift+Enter does not, Escape clears', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('kbd')} name="Ada"><mesh-chat></mesh-chat></mesh-room>`);
    await until(() => el.state === 'connected', 'connected');
    const chat = el.querySelector('mesh-chat') as MeshChatElement;
    await chat.updateComplete;
    const input = chat.shadowRoot!.querySelector('textarea')!;
    const key = (k: string, shift = false) => input.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey: shift, bubbles: true, composed: true, cancelable: true }));
    input.value = 'line one';
    key('Enter', true);
    expect(chat.messages.length).to.equal(0, 'Shift+Enter is a new line');
    key('Escape');
    expect(input.value).to.equal('');
    input.value = 'sent with Enter';
    key('Enter');
    expect(chat.messages.map((m) => m.text)).to.deep.equal(['sent with Enter']);
    // Everything interactive is reachable with Tab: the log (scrollable), the input, attach, send.
    const focusable = [...chat.shadowRoot!.querySelectorAll('[tabindex="0"], textarea, button')];
    expect(focusable.map((e) => e.getAttribute('part'))).to.deep.equal(['log', 'input', 'attach-button', 'send-button']);
  });
});
