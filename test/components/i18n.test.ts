import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import '../../components/i18n/de.js';
import '../../components/media.js';
import '../../components/mesh-chat/chat-file.js';
import '../../components/mesh-room/recording-view.js';
import { EN, type MeshChatElement, type MeshStatusBadgeElement } from '../../components/index.js';
import { DE } from '../../components/i18n/de-strings.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { uniqueRoom, until } from './helpers.js';

describe('languages', () => {
  it('English has every string German has, once the parts that bring their own (media, files, recording) are loaded', () => {
    const missing = Object.keys(DE).filter((k) => !(k in EN));
    const missingErrors = Object.keys(DE.errors).filter((code) => !(code in EN.errors));
    expect([...missing, ...missingErrors]).to.deep.equal([]);
    expect(Object.values(EN).filter((v) => v === undefined || v === '')).to.deep.equal([]);
  });

  it('follows the nearest lang attribute: German strings under lang="de"', async () => {
    const el = await fixture<HTMLDivElement>(html`<div lang="de-AT"><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></div>`);
    const badge = el.querySelector('mesh-status-badge') as MeshStatusBadgeElement;
    const chat = el.querySelector('mesh-chat') as MeshChatElement;
    await badge.updateComplete;
    expect(badge.shadowRoot!.querySelector('[part="label"]')!.textContent!.trim()).to.equal('Nicht verbunden');
    expect(chat.shadowRoot!.querySelector('[part="send-button"]')!.textContent).to.equal('Senden');
    expect(chat.shadowRoot!.querySelector('label')!.textContent).to.equal('Nachricht');
  });

  it('takes any subset of strings as overrides on top of its language', async () => {
    const chat = await fixture<MeshChatElement>(html`<mesh-chat lang="de" .strings=${{ send: 'Los!' }}></mesh-chat>`);
    expect(chat.shadowRoot!.querySelector('[part="send-button"]')!.textContent).to.equal('Los!');
    expect(chat.shadowRoot!.querySelector('[part="empty"]')!.textContent!.trim()).to.equal('Noch keine Nachrichten.');
  });

  it('shows message times relative to now, in the page\'s language, with the exact time as a tooltip', async () => {
    const relay = (await sharedRelay()).wsUrl;
    const wrap = await fixture<HTMLDivElement>(html`<div lang="de"><mesh-room relay=${relay} room=${uniqueRoom('i18n')} name="Ada"><mesh-chat></mesh-chat></mesh-room></div>`);
    const chat = wrap.querySelector('mesh-chat') as MeshChatElement;
    await until(() => chat.room?.state === 'connected', 'connected');
    chat.send('hallo');
    await chat.updateComplete;
    const time = chat.shadowRoot!.querySelector('time')!;
    expect(time.textContent).to.equal('jetzt');
    expect(time.getAttribute('title')).to.match(/\d/);
  });
});
