import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshRoomElement, MeshStatusBadgeElement } from '../../components/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { uniqueRoom, until } from './helpers.js';

describe('<mesh-status-badge>', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  it('shows "Not connected" without a room, in a polite live region', async () => {
    const el = await fixture<MeshStatusBadgeElement>(html`<mesh-status-badge></mesh-status-badge>`);
    const label = el.shadowRoot!.querySelector('[part="label"]')!;
    expect(label.getAttribute('role')).to.equal('status');
    expect(label.textContent!.trim()).to.equal('Not connected');
    expect(el.getAttribute('state')).to.equal('idle');
  });

  it('follows its room: reflects state, sets a custom state and says it in words', async () => {
    const room = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('badge')} name="Ada"><mesh-status-badge></mesh-status-badge></mesh-room>`);
    const badge = room.querySelector('mesh-status-badge')!;
    await until(() => badge.state === 'connected', 'badge connected');
    await badge.updateComplete;
    expect(badge.getAttribute('state')).to.equal('connected');
    expect(badge.matches(':state(connected)')).to.equal(true);
    expect(badge.shadowRoot!.querySelector('[part="label"]')!.textContent!.trim()).to.equal('Connected');
    expect(badge.shadowRoot!.querySelector('[part="details"]')!.textContent).to.contain('nobody else');
    room.leave();
    await until(() => badge.state === 'closed', 'badge closed');
    expect(badge.matches(':state(connected)')).to.equal(false);
  });

  it('colours the dot from --mesh-* properties per state', async () => {
    const room = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('colour')} name="Ada"
      style="--mesh-badge-color-connected: rgb(1, 2, 3)"><mesh-status-badge></mesh-status-badge></mesh-room>`);
    const badge = room.querySelector('mesh-status-badge')!;
    await until(() => badge.state === 'connected', 'connected');
    await badge.updateComplete;
    const dot = badge.shadowRoot!.querySelector('[part="dot"]')!;
    expect(getComputedStyle(dot).backgroundColor).to.equal('rgb(1, 2, 3)');
  });
});
