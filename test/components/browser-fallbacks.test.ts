import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import { MeshStatusBadgeElement, type MeshRoomElement } from '../../components/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { meshUp, uniqueRoom, until } from './helpers.js';

/**
 * What other browsers lack, given to the elements as those browsers would (an injected class, a
 * subclass, one element's own method), never by patching the page's globals: the rest of the run
 * keeps the real browser.
 */
const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);

/** A badge in a browser without ElementInternals (no `attachInternals`, so no `:state()`). */
class BadgeWithoutInternals extends MeshStatusBadgeElement {}
Object.defineProperty(BadgeWithoutInternals.prototype, 'attachInternals', { value: undefined });
customElements.define('test-badge-without-internals', BadgeWithoutInternals);

describe('fallbacks where the browser lacks a feature (feature-detected, never thrown)', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  it('no ElementInternals: the badge styles itself from its reflected state attribute instead of :state()', async () => {
    const room = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('fb')} name="Ada"
      style="--mesh-badge-color-connected: rgb(1, 2, 3)"><test-badge-without-internals></test-badge-without-internals></mesh-room>`);
    const badge = room.querySelector('test-badge-without-internals') as BadgeWithoutInternals;
    await until(() => badge.state === 'connected', 'connected');
    await badge.updateComplete;
    expect(badge.getAttribute('state')).to.equal('connected');
    expect(getComputedStyle(part(badge, 'dot')!).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(part(badge, 'label')!.textContent!.trim()).to.equal('Connected');
  });

  it('autoplay with sound blocked: the grid shows a visible prompt, and a click plays the peer', async () => {
    const id = uniqueRoom('fb');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${id} name="Ada" media="audio video"></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob" media="audio video"></mesh-room>
    </div>`);
    const rooms = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    await until(() => meshUp(rooms) && rooms.every((r) => r.peers[0].stream !== null), 'a call with streams', 20_000);
    const grid = rooms[0].shadowRoot!.querySelector('mesh-video-grid')!;
    await until(() => !!grid.shadowRoot!.querySelector('video[data-remote]'), 'Bob\'s tile');
    const video = grid.shadowRoot!.querySelector<HTMLVideoElement>('video[data-remote]')!;
    // This one video refuses to play as Safari's (and Chromium's, without a gesture) autoplay
    // policy does for sound; the page's other videos and HTMLMediaElement are untouched.
    const play = video.play;
    let refused = 0;
    video.play = () => { refused++; return Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError')); };
    video.pause();
    grid.requestUpdate();
    await until(() => !!part(grid, 'sound-prompt'), 'the sound prompt');
    const prompt = part(grid, 'sound-prompt') as HTMLButtonElement;
    expect(refused).to.be.greaterThan(0);
    expect(prompt.textContent!.trim()).to.not.equal('');
    expect(prompt.getClientRects().length, 'the prompt is visible').to.be.greaterThan(0);
    video.play = play; // the click is the gesture the browser waited for
    prompt.click();
    await until(() => !part(grid, 'sound-prompt') && !video.paused, 'prompt gone, Bob playing');
  });

  it('a browser that records only MP4 (Safari): the file is MP4 and its download is named .mp4', async function () {
    // The real MediaRecorder, told to admit only MP4 types, as Safari's isTypeSupported does.
    const mp4 = ['video/mp4;codecs=avc1,mp4a.40.2', 'video/mp4'].filter((t) => MediaRecorder.isTypeSupported(t));
    if (mp4.length === 0) {
      this.skip(); // this engine cannot write MP4 at all, so an MP4-only recorder cannot be built from it
    }
    class Mp4Only extends MediaRecorder {
      static override isTypeSupported(type: string): boolean { return type.startsWith('video/mp4') && MediaRecorder.isTypeSupported(type); }
    }
    const id = uniqueRoom('fb');
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <mesh-room relay=${relay} room=${id} name="Ada" media="video"></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob" media="video"></mesh-room>
    </div>`);
    const rooms = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    await until(() => meshUp(rooms), 'mesh up');
    await rooms[0].startRecording({ MediaRecorder: Mp4Only, width: 320, height: 180, fps: 10 });
    await new Promise((r) => setTimeout(r, 1500)); // the length of the recording
    const blob = (await rooms[0].stopRecording())!;
    expect(blob.type).to.equal('video/mp4');
    expect(new TextDecoder().decode(new Uint8Array(await blob.slice(4, 8).arrayBuffer()))).to.equal('ftyp', 'an MP4 file starts with its ftyp box');
    await until(() => !!part(rooms[0], 'recording-download'), 'download link');
    expect(part(rooms[0], 'recording-download')!.getAttribute('download')).to.match(/^mesh-room-fb-.*\.mp4$/);
  });
});
