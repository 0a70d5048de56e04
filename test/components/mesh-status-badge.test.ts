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

  it('shows the worst link\'s figures and reflects its quality once measured', async () => {
    const id = uniqueRoom('q');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${id} name="Ada"><mesh-status-badge></mesh-status-badge></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob"></mesh-room>
    </div>`);
    const badge = wrap.querySelector('mesh-status-badge')!;
    await until(() => badge.getAttribute('quality') === 'good', 'quality measured (a health sample every 2 s)', 20_000);
    await badge.updateComplete;
    const details = badge.shadowRoot!.querySelector('[part="details"]')!.textContent!;
    expect(details).to.match(/^1 other person · \d+ ms$/, "a data-only link has an RTT but no packet loss to show");
    // Numbers are not in the live region: only the state (and a bad quality) is announced.
    expect(badge.shadowRoot!.querySelector('[part="label"]')!.textContent!.trim()).to.equal('Connected');
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
