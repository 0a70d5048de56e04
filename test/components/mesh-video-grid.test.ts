import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import '../../components/media.js';
import type { MeshRoomElement } from '../../components/index.js';
import type { MeshVideoGridElement } from '../../components/media.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { uniqueRoom, until } from './helpers.js';

describe('<mesh-room media> with its video grid and controls', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  const grid = (room: MeshRoomElement) => room.shadowRoot!.querySelector('mesh-video-grid')!;
  const controls = (room: MeshRoomElement) => room.shadowRoot!.querySelector('mesh-media-controls')!;

  it('shows no grid and no call controls for a chat-only room, but still the leave button', async () => {
    const room = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('v')} name="Ada"></mesh-room>`);
    await until(() => room.state === 'connected', 'connected');
    await room.updateComplete;
    expect(grid(room)).to.equal(null);
    expect(controls(room)).to.equal(null);
    const buttons = [...room.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent!.trim());
    expect(buttons).to.deep.equal(['Leave']);
    (room.shadowRoot!.querySelector('[part="leave-button"]') as HTMLButtonElement).click();
    await until(() => room.state === 'closed', 'left');
  });

  it('shows our own muted preview and labelled toggles with aria-pressed', async () => {
    const room = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('v')} name="Ada" media="audio video"></mesh-room>`);
    await until(() => room.state === 'connected' && !!room.core?.localMedia, 'connected with media');
    await room.updateComplete;
    const g = grid(room);
    await until(() => !!g.shadowRoot!.querySelector('video'), 'self tile');
    const video = g.shadowRoot!.querySelector('video')!;
    expect(video.muted).to.equal(true, 'our own preview never plays back our microphone');
    expect(g.shadowRoot!.querySelector('[part~="tile"]')!.getAttribute('part')).to.equal('tile self');
    const c = controls(room);
    await c.updateComplete;
    const mic = [...c.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('microphone'))!;
    expect(mic.getAttribute('aria-pressed')).to.equal('false');
    mic.click();
    await until(() => room.core!.localMedia!.state.audio === false, 'muted');
    await c.updateComplete;
    expect(mic.getAttribute('aria-pressed')).to.equal('true');
    expect(mic.textContent!.trim()).to.equal('Unmute microphone');
  });

  it('shows max-tiles members at a time with a pager, and promotes the one who speaks onto every page', async function () {
    this.timeout(90_000);
    const room = uniqueRoom('g');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room id="grid-pager" relay=${relay} room=${room} name="Ada"></mesh-room>
      <mesh-video-grid for="grid-pager" max-tiles="2"></mesh-video-grid>
      <mesh-room relay=${relay} room=${room} name="Bob"></mesh-room>
      <mesh-room relay=${relay} room=${room} name="Cy"></mesh-room>
      <mesh-room relay=${relay} room=${room} name="Di"></mesh-room>
    </div>`);
    const ada = wrap.querySelector<MeshRoomElement>('#grid-pager')!;
    const g = wrap.querySelector<MeshVideoGridElement>('mesh-video-grid')!;
    await until(() => ada.peers.length === 3, 'three peers');
    const names = () => [...g.shadowRoot!.querySelectorAll('[part~="tile"] [part="caption"] span:first-child')].map((n) => n.textContent);
    const pager = () => g.shadowRoot!.querySelector('[part="pager"]');
    await g.updateComplete;
    // No camera here: no tile of our own, so 2 members per page, 2 pages.
    expect(names()).to.deep.equal(['Bob', 'Cy']);
    expect(pager()!.textContent).to.match(/1 of 2/);
    const buttons = () => [...g.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="page-button"]')];
    expect(buttons().map((b) => b.disabled)).to.deep.equal([true, false]);
    expect(buttons().map((b) => b.getAttribute('aria-label'))).to.deep.equal(['Previous participants', 'More participants']);
    buttons()[1].click();
    await g.updateComplete;
    expect(names()).to.deep.equal(['Di']);
    expect(pager()!.textContent).to.match(/2 of 2/);
    // Ed sends sound (the fake microphone's beeps): he becomes the speaker, first on the page shown.
    const ed = Object.assign(document.createElement('mesh-room'), { relay, room, name: 'Ed', media: 'audio' }) as MeshRoomElement;
    wrap.append(ed);
    await until(() => !!g.shadowRoot!.querySelector('[part~="speaking"]'), 'a speaker', 45_000);
    await g.updateComplete;
    expect(names()[0]).to.equal('Ed');
    expect(g.shadowRoot!.querySelector('[part~="speaking"] [data-speaking]')!.textContent).to.equal('speaking');
    buttons()[0].click();
    await g.updateComplete;
    expect(names()[0]).to.equal('Ed', 'the speaker stays on every page');
    g.maxTiles = 9;
    await g.updateComplete;
    expect(pager()).to.equal(null);
    expect(names().slice().sort()).to.deep.equal(['Bob', 'Cy', 'Di', 'Ed']);
  });
});
