import { expect } from '@open-wc/testing';
import { systemClock } from '../../core/base/clock.js';
import { SfuSubscription, type SubscriptionHost } from '../../core/sfu/index.js';
import { until } from '../components/helpers.js';

/**
 * An SFU subscription's layer choice on real RTCPeerConnections (issue 19): a second connection in
 * the page plays the SFU's side (its offer sends a video track), so no Janus is needed here.
 */
describe('SfuSubscription layers', () => {
  const closers: Array<() => void> = [];
  afterEach(() => { for (const c of closers.splice(0)) c(); });

  async function subscribed() {
    const layers: Array<[string, number]> = [];
    const sfu = new RTCPeerConnection();
    closers.push(() => sfu.close());
    const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
    canvas.getContext('2d')!.fillRect(0, 0, 64, 48);
    const track = canvas.captureStream(5).getVideoTracks()[0];
    closers.push(() => track.stop());
    sfu.addTransceiver(track, { direction: 'sendonly' });
    await sfu.setLocalDescription(await sfu.createOffer());
    const answered: string[] = [];
    const host: SubscriptionHost = {
      clock: systemClock,
      RTC: RTCPeerConnection,
      config: () => ({}),
      subscribe: () => true,
      start: (_peer, sdp) => { answered.push(sdp); return true; },
      candidate: () => {},
      stream: () => {},
      layer: (_peer, mid, substream) => { layers.push([mid, substream]); return true; },
      stalled: () => {},
    };
    const s = new SfuSubscription(host, 'peer-aaaaaaaaaaaaaaaa');
    closers.push(() => s.close());
    s.request();
    await s.offer(sfu.localDescription!.sdp);
    await until(() => answered.length === 1, 'answered');
    return { s, layers, mid: s.connection!.getTransceivers()[0].mid! };
  }

  it('asks for a lower layer on a fair or poor link and the highest again on a good one, once per change', async () => {
    const { s, layers, mid } = await subscribed();
    expect(layers).to.deep.equal([], 'the SFU starts with the highest layer: nothing to ask');
    s.quality('poor');
    s.quality('poor');
    s.quality('fair');
    s.quality('good');
    expect(layers).to.deep.equal([[mid, 0], [mid, 1], [mid, 2]]);
  });

  it('gives a member the page does not show the lowest layer, and its link\'s layer when shown again', async () => {
    const { s, layers, mid } = await subscribed();
    s.quality('fair');
    s.visible(false);
    s.quality('good');
    expect(layers).to.deep.equal([[mid, 1], [mid, 0]], 'hidden: stays at the lowest whatever the link');
    s.visible(true);
    expect(layers).to.deep.equal([[mid, 1], [mid, 0], [mid, 2]]);
  });

  it('gives a small tile the smallest layer that fills it, never more than the link takes', async () => {
    const { s, layers, mid } = await subscribed();
    s.visible(true, 240); // a thumbnail: the quarter-size layer (320 wide from 720p) fills it
    s.visible(true, 600); // the half-size layer
    s.visible(true, 1920); // the full picture
    s.quality('poor'); // ... but not on a poor link
    expect(layers).to.deep.equal([[mid, 0], [mid, 1], [mid, 2], [mid, 0]]);
  });
});
