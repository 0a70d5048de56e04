import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshRoomElement } from '../../components/index.js';
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
});
