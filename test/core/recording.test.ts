import { expect } from '@open-wc/testing';
import { MeshError, Room } from '../../core/index.js';
import { sharedRelay } from '../helpers/browser-relay.js';
import { until } from '../components/helpers.js';
import { randomId } from '../../core/base/ids.js';

/** Loads a WebM blob into a <video>; returns its real duration and size. */
async function probe(blob: Blob): Promise<{ duration: number; width: number; height: number }> {
  const video = document.createElement('video');
  video.muted = true;
  const url = URL.createObjectURL(blob);
  try {
    video.src = url;
    await new Promise((resolve, reject) => { video.onloadedmetadata = resolve; video.onerror = () => reject(new Error(`not playable: ${video.error?.message}`)); });
    // MediaRecorder's WebM carries no duration; seeking past the end makes the browser find it.
    if (!Number.isFinite(video.duration)) {
      video.currentTime = 1e9;
      await until(() => Number.isFinite(video.duration), 'duration known', 10_000);
    }
    return { duration: video.duration, width: video.videoWidth, height: video.videoHeight };
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

/**
 * Plays the WebM in a <video> until `atSeconds`, draws that frame and tells, for each tile of the
 * recorder's grid (`count` members: ceil(√count) columns), whether it shows video: a picture has
 * many shades or (Firefox's fake camera: one colour, luma ≈ 150) a colour of its own, while a
 * member without video is the recorder's flat grey (#333, luma 51) and an empty cell its flat
 * black (#111, luma 17).
 */
async function tilesShowingVideo(blob: Blob, count: number, atSeconds: number): Promise<{ tiles: boolean[]; spread: number[]; mean: number[] }> {
  const video = document.createElement('video');
  video.muted = true;
  const url = URL.createObjectURL(blob);
  try {
    video.src = url;
    await video.play();
    await until(() => video.currentTime >= atSeconds || video.ended, `the recording played to ${atSeconds} s`, 15_000);
    video.pause();
    const { videoWidth: width, videoHeight: height } = video;
    const canvas = Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const cols = Math.ceil(Math.sqrt(count));
    const rows = Math.ceil(count / cols);
    const [w, h] = [width / cols, height / rows];
    const spread: number[] = [];
    const mean: number[] = [];
    for (let i = 0; i < cols * rows; i++) {
      // The tile without its margins and without the name bar at its bottom.
      const x = Math.floor((i % cols) * w + 6);
      const y = Math.floor(Math.floor(i / cols) * h + 6);
      const px = ctx.getImageData(x, y, Math.floor(w - 12), Math.floor(h - 40)).data;
      let sum = 0;
      let sq = 0;
      const n = px.length / 4;
      for (let k = 0; k < px.length; k += 4) {
        const luma = 0.299 * px[k] + 0.587 * px[k + 1] + 0.114 * px[k + 2];
        sum += luma;
        sq += luma * luma;
      }
      spread.push(Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)));
      mean.push(sum / n);
    }
    // A flat fill (placeholder, empty cell) has a spread of a few units at most (codec noise).
    const fill = (i: number) => spread[i] <= 10 && [17, 51].some((luma) => Math.abs(mean[i] - luma) < 20);
    return { tiles: spread.map((_, i) => !fill(i)), spread, mean };
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

describe('Recording', () => {
  const rooms: Room[] = [];
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });
  afterEach(() => {
    for (const r of rooms.splice(0)) r.close();
  });

  it('records a 3-person call to a playable WebM, and everyone sees the recording indicator', async () => {
    const id = `rec-${randomId(6)}`;
    const media = { audio: true, video: true };
    const [a, b, c] = ['Ada', 'Bob', 'Cy'].map((name) => new Room({ relay, room: id, name, media }));
    rooms.push(a, b, c);
    for (const r of [a, b, c]) await r.join();
    await until(() => [a, b, c].every((r) => r.peers.length === 2 && r.peers.every((p) => p.state === 'connected' && p.stream !== null)), 'a call with streams');
    const events: Array<{ recording: boolean; audio?: boolean; blob?: Blob }> = [];
    a.addEventListener('recording', (e) => events.push(e.detail));
    await a.startRecording({ width: 640, height: 360, fps: 10 });
    expect(a.recording).to.equal(true);
    for (const r of [b, c]) await until(() => r.peers.find((p) => p.id === a.selfId)?.recording === true, `${r.selfName} sees the indicator`);
    // The recording's length is the point of this wait, not a hope that something happened.
    await new Promise((r) => setTimeout(r, 2500));
    const blob = await a.stopRecording();
    expect(blob).to.be.instanceOf(Blob);
    expect(blob!.type).to.equal('video/webm');
    expect(blob!.size).to.be.greaterThan(10_000);
    const info = await probe(blob!);
    expect(info.duration).to.be.greaterThan(1);
    expect(info.width).to.equal(640);
    expect(info.height).to.equal(360);
    // Everyone is in the file: three tiles with a picture (ours and the two remote cameras), the fourth cell empty.
    const seen = await tilesShowingVideo(blob!, 3, 2);
    expect(seen.tiles, `luma spread / mean per tile: ${seen.spread.map((d, i) => `${d.toFixed(1)}/${seen.mean[i].toFixed(0)}`)}`).to.deep.equal([true, true, true, false]);
    expect(events.map((e) => e.recording)).to.deep.equal([true, false]);
    expect(events[1].blob).to.equal(blob);
    for (const r of [b, c]) await until(() => r.peers.find((p) => p.id === a.selfId)?.recording === false, `${r.selfName} sees it end`);
  });

  it('a member whose camera is off is a blank tile in the file (the check above can tell)', async () => {
    const id = `rec-${randomId(6)}`;
    const [a, b] = ['Ada', 'Bob'].map((name) => new Room({ relay, room: id, name, media: { audio: false, video: true } }));
    rooms.push(a, b);
    for (const r of [a, b]) await r.join();
    await until(() => [a, b].every((r) => r.peers.length === 1 && r.peers[0].state === 'connected' && r.peers[0].stream !== null), 'a call with streams');
    await b.localMedia!.setVideoEnabled(false);
    await until(() => a.peers[0].media?.video === false, 'Ada sees Bob\'s camera off');
    await a.startRecording({ width: 640, height: 360, fps: 10 });
    await new Promise((r) => setTimeout(r, 2500)); // the recording's length
    const blob = await a.stopRecording();
    const seen = await tilesShowingVideo(blob!, 2, 2);
    expect(seen.tiles, `luma spread / mean per tile: ${seen.spread.map((d, i) => `${d.toFixed(1)}/${seen.mean[i].toFixed(0)}`)}`).to.deep.equal([true, false]);
  });

  it('stops by itself on leave, delivering the file; refuses before joining and where the browser cannot record', async () => {
    const id = `rec-${randomId(6)}`;
    const a = new Room({ relay, room: id, name: 'Ada' });
    rooms.push(a);
    let thrown: unknown;
    try { await a.startRecording(); } catch (e) { thrown = e; }
    expect((thrown as MeshError).code).to.equal('not-connected');
    await a.join();
    // A browser without MediaRecorder (injected): a typed error, and nothing changes.
    thrown = null;
    try { await a.startRecording({ MediaRecorder: null }); } catch (e) { thrown = e; }
    expect((thrown as MeshError).code).to.equal('recording-unsupported');
    expect(a.recording).to.equal(false);
    const done = new Promise<Blob | undefined>((resolve) => a.addEventListener('recording', (e) => { if (!e.detail.recording) resolve(e.detail.blob); }));
    await a.startRecording({ width: 320, height: 180 });
    await new Promise((r) => setTimeout(r, 1200));
    a.leave();
    const blob = await done;
    expect(blob!.size).to.be.greaterThan(0);
    expect(a.recording).to.equal(false);
  });
});
