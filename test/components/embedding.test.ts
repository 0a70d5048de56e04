import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import { defineMeshElements, type MeshChatElement, type MeshRoomElement } from '../../components/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { uniqueRoom, until } from './helpers.js';

describe('embedding', () => {
  it('defining the elements again (a second copy of the script) is harmless', () => {
    const before = customElements.get('mesh-room');
    expect(() => defineMeshElements()).not.to.throw();
    expect(customElements.get('mesh-room')).to.equal(before);
  });

  it('works inside another component\'s shadow root, chat and for= included', async () => {
    const relay = (await sharedRelay()).wsUrl;
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const shadow = host.attachShadow({ mode: 'open' });
    const room = uniqueRoom('shadow');
    shadow.innerHTML = `<mesh-room id="inner" relay="${relay}" room="${room}" name="Ada"><mesh-chat></mesh-chat></mesh-room>
      <aside><mesh-status-badge for="inner"></mesh-status-badge></aside>`;
    const el = shadow.querySelector('mesh-room') as MeshRoomElement;
    await until(() => el.state === 'connected', 'connected inside a shadow root');
    const badge = shadow.querySelector('mesh-status-badge')!;
    await until(() => badge.getAttribute('state') === 'connected', 'badge found its room by id in the same shadow root');
    const chat = shadow.querySelector('mesh-chat') as MeshChatElement;
    chat.send('from a shadow root');
    expect(chat.messages.map((m) => m.text)).to.deep.equal(['from a shadow root']);
  });
});
