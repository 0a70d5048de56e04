import { MeshError } from '../base/errors.js';
import type { RecordingOptions } from '../room/feature-types.js';

export type { RecordingOptions } from '../room/feature-types.js';

/** One tile of the recording: a member's name and stream (null: name only). */
export interface RecorderSource {
  id: string;
  name: string;
  stream: MediaStream | null;
  /** What the member says it sends: `video: false` (camera off) draws the blank tile. */
  media?: { video: boolean } | null;
}

/**
 * Container types tried in order, with `MediaRecorder.isTypeSupported`: Chromium and Firefox
 * write the first; Safari writes only MP4. A type naming an audio codec is skipped without audio.
 */
const MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4;codecs=avc1,mp4a.40.2', 'video/mp4'];

/**
 * Records the room locally: every member's video drawn into one grid on a canvas, every audio
 * track mixed with Web Audio, both encoded by `MediaRecorder` into WebM (MP4 where the browser
 * writes only that, as Safari does). Members joining or leaving during the recording get or lose
 * their tile at the next frame.
 */
export class RoomRecorder {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #audio: AudioContext;
  readonly #mix: MediaStreamAudioDestinationNode;
  readonly #videos = new Map<MediaStream, HTMLVideoElement>();
  readonly #voices = new Map<MediaStream, MediaStreamAudioSourceNode>();
  readonly #recorder: MediaRecorder;
  readonly #chunks: Blob[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #stopped: Promise<Blob>;
  readonly #size: { width: number; height: number };

  /**
   * Starts recording. Throws `recording-unsupported` where the browser lacks MediaRecorder or
   * canvas capture. Audio is mixed in only when the browser lets the page's audio run (a click
   * on a record button does; without any user gesture the context stays suspended, and a
   * suspended track would stall the whole file): `withAudio` says which.
   */
  static async start(sources: () => RecorderSource[], options: RecordingOptions = {}): Promise<RoomRecorder> {
    const Recorder = options.MediaRecorder !== undefined ? options.MediaRecorder : (globalThis.MediaRecorder ?? null);
    if (typeof Recorder !== 'function' || typeof AudioContext !== 'function' || typeof document === 'undefined'
      || typeof HTMLCanvasElement.prototype.captureStream !== 'function') {
      throw new MeshError('recording-unsupported');
    }
    const audio = new AudioContext();
    if (audio.state !== 'running') {
      await Promise.race([audio.resume().catch(() => {}), new Promise((r) => setTimeout(r, 300))]);
    }
    return new RoomRecorder(sources, audio, Recorder, options);
  }

  readonly withAudio: boolean;
  /** The file's type, `video/webm` or (Safari) `video/mp4`. */
  readonly type: string;

  readonly #sources: () => RecorderSource[];
  private constructor(sources: () => RecorderSource[], audio: AudioContext, Recorder: typeof MediaRecorder, options: RecordingOptions) {
    this.#sources = sources;
    this.withAudio = audio.state === 'running';
    const mimeType = MIME_TYPES.filter((t) => this.withAudio || !t.includes(',')).find((t) => Recorder.isTypeSupported?.(t));
    if (!mimeType) {
      void audio.close();
      throw new MeshError('recording-unsupported', 'this browser can write neither WebM nor MP4');
    }
    this.type = mimeType.split(';')[0];
    this.#size = { width: options.width ?? 1280, height: options.height ?? 720 };
    const fps = options.fps ?? 15;
    this.#canvas = Object.assign(document.createElement('canvas'), this.#size);
    this.#ctx = this.#canvas.getContext('2d')!;
    this.#audio = audio;
    this.#mix = this.#audio.createMediaStreamDestination();
    // A silent source keeps the audio track flowing while nobody with a microphone is in the
    // room: an audio track without samples stalls Chromium's WebM muxer (an empty file).
    const silence = new ConstantSourceNode(this.#audio, { offset: 0 });
    silence.connect(this.#mix);
    silence.start();
    this.#draw();
    const tracks = [...this.#canvas.captureStream(fps).getVideoTracks(), ...(this.withAudio ? this.#mix.stream.getAudioTracks() : [])];
    this.#recorder = new Recorder(new MediaStream(tracks), { mimeType });
    this.#recorder.ondataavailable = (e) => { if (e.data.size > 0) this.#chunks.push(e.data); };
    this.#stopped = new Promise<Blob>((resolve, reject) => {
      this.#recorder.onstop = () => resolve(new Blob(this.#chunks, { type: this.type }));
      this.#recorder.onerror = (e) => reject(new MeshError('recording-failed', `recording failed: ${(e as ErrorEvent).message ?? 'MediaRecorder error'}`));
    });
    this.#stopped.catch(() => this.#release());
    // A timer, not animation frames: those stop in a hidden tab, and a recording must not.
    this.#timer = setInterval(() => this.#draw(), 1000 / fps);
    this.#recorder.start(1000);
  }

  get recording(): boolean { return this.#recorder.state === 'recording'; }

  /** Stops and resolves with the file (WebM, or MP4 where only that is written). Idempotent (every call gets the same file). */
  stop(): Promise<Blob> {
    if (this.#recorder.state !== 'inactive') {
      this.#recorder.requestData();
      this.#recorder.stop();
    }
    return this.#stopped.finally(() => this.#release());
  }

  #release(): void {
    clearInterval(this.#timer);
    for (const v of this.#videos.values()) v.srcObject = null;
    this.#videos.clear();
    for (const n of this.#voices.values()) n.disconnect();
    this.#voices.clear();
    for (const t of this.#mix.stream.getTracks()) t.stop();
    if (this.#audio.state !== 'closed') void this.#audio.close();
  }

  #draw(): void {
    const { width, height } = this.#size;
    const ctx = this.#ctx;
    const list = this.#sources();
    // Only into a running context: Firefox stalls every <video> of a stream tapped by a suspended one.
    if (this.withAudio) this.#syncAudio(list);
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, width, height);
    const cols = Math.ceil(Math.sqrt(list.length || 1));
    const rows = Math.ceil((list.length || 1) / cols);
    const w = width / cols;
    const h = height / rows;
    list.forEach((s, i) => {
      const x = (i % cols) * w;
      const y = Math.floor(i / cols) * h;
      // A remote track stays live while its camera is off, and Firefox then keeps showing its last
      // frame in a new <video>: the member's own word decides, as the video grid does.
      const on = s.media?.video !== false && s.stream?.getVideoTracks().some((t) => t.readyState === 'live' && t.enabled);
      const video = on ? this.#videoFor(s.stream!) : null;
      if (video && video.videoWidth > 0) {
        // Fit inside the tile, keeping the aspect ratio.
        const scale = Math.min(w / video.videoWidth, h / video.videoHeight);
        const vw = video.videoWidth * scale;
        const vh = video.videoHeight * scale;
        ctx.drawImage(video, x + (w - vw) / 2, y + (h - vh) / 2, vw, vh);
      } else {
        ctx.fillStyle = '#333';
        ctx.fillRect(x + 2, y + 2, w - 4, h - 4);
      }
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      ctx.fillRect(x, y + h - 28, w, 28);
      ctx.fillStyle = '#fff';
      ctx.font = '16px sans-serif';
      ctx.fillText(s.name, x + 8, y + h - 9, w - 16);
    });
    for (const [stream, v] of this.#videos) {
      if (!list.some((s) => s.stream === stream)) {
        v.srcObject = null;
        this.#videos.delete(stream);
      }
    }
  }

  #videoFor(stream: MediaStream): HTMLVideoElement {
    let v = this.#videos.get(stream);
    if (!v) {
      v = Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: stream });
      void v.play().catch(() => { /* drawn as a placeholder until it plays */ });
      this.#videos.set(stream, v);
    }
    return v;
  }

  #syncAudio(list: RecorderSource[]): void {
    for (const s of list) {
      if (!s.stream || this.#voices.has(s.stream) || s.stream.getAudioTracks().length === 0) continue;
      const node = this.#audio.createMediaStreamSource(s.stream);
      node.connect(this.#mix);
      this.#voices.set(s.stream, node);
    }
    for (const [stream, node] of this.#voices) {
      if (!list.some((s) => s.stream === stream)) {
        node.disconnect();
        this.#voices.delete(stream);
      }
    }
  }
}
