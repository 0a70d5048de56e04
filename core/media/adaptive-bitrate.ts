import type { Clock } from '../base/clock.js';
import type { QualityLevel } from '../protocol/quality.js';

/** One step of the ladder: a resolution and bitrate cap for the video sender. */
export interface BitrateStep { name: string; height: number; maxBitrate: number; active: boolean }

/**
 * 720p → 480p → 360p (as seed 003 describes), and 180p for `poor` links. Every step keeps the
 * video moving: switching the layer off (`active: false`) froze the peer's tile with nothing to
 * tell it apart from a broken stream, and on a busy machine scheduling delays alone (RTT and
 * jitter, with no loss and bandwidth to spare) made links `poor` (issue 21). Going audio only
 * is the person's choice (the `poor` recommendations say so), not ours.
 */
export const BITRATE_LADDER: readonly BitrateStep[] = [
  { name: '720p', height: 720, maxBitrate: 1_500_000, active: true },
  { name: '480p', height: 480, maxBitrate: 800_000, active: true },
  { name: '360p', height: 360, maxBitrate: 400_000, active: true },
  { name: '180p', height: 180, maxBitrate: 150_000, active: true },
];

export interface AdaptiveBitrateOptions {
  clock: Clock;
  /** Minimum time between two steps down, ms. Default 4000. */
  downCooldownMs?: number;
  /** `good` for this long steps back up one step, ms. Default 10_000. */
  upAfterMs?: number;
}

/**
 * Adapts one video sender to its link's quality: `fair` steps down to at most 360p, `poor` steps
 * down through 360p to 180p (never off), each step at most every `downCooldownMs`; `good` held for
 * `upAfterMs` steps back up, one step at a time. Applied with `RTCRtpSender.setParameters`
 * (`maxBitrate`, `scaleResolutionDownBy`, `active`), so nothing renegotiates.
 */
export class AdaptiveBitrate {
  /** Index into {@link BITRATE_LADDER}. */
  step = 0;
  #lastChange = -Infinity;
  #goodSince: number | null = null;
  readonly #downCooldownMs: number;
  readonly #upAfterMs: number;

  readonly #options: AdaptiveBitrateOptions;
  constructor(options: AdaptiveBitrateOptions) {
    this.#options = options;
    this.#downCooldownMs = options.downCooldownMs ?? 4000;
    this.#upAfterMs = options.upAfterMs ?? 10_000;
  }

  get current(): BitrateStep { return BITRATE_LADDER[this.step]; }

  /** Feeds the link's quality and applies a new step to `sender` when one is due. */
  async update(quality: QualityLevel, sender: RTCRtpSender | null): Promise<void> {
    const now = this.#options.clock.now();
    const floor = quality === 'poor' ? BITRATE_LADDER.length - 1 : 2;
    if (quality === 'good') {
      this.#goodSince ??= now;
      if (this.step > 0 && now - this.#goodSince >= this.#upAfterMs && now - this.#lastChange >= this.#upAfterMs) {
        this.step--;
        this.#lastChange = now;
      }
    } else {
      this.#goodSince = null;
      if (this.step < floor && now - this.#lastChange >= this.#downCooldownMs) {
        this.step++;
        this.#lastChange = now;
      }
    }
    if (sender) await this.apply(sender);
  }

  /** Writes the current step into the sender's parameters (also after a new connection). */
  async apply(sender: RTCRtpSender): Promise<void> {
    // Where the browser gives no encodings (or no getParameters), the sender keeps its defaults.
    const params = sender.getParameters?.();
    const enc = params?.encodings?.[0];
    if (!enc) return;
    const step = this.current;
    const height = sender.track?.getSettings().height ?? step.height;
    const want = { active: step.active, maxBitrate: step.active ? step.maxBitrate : enc.maxBitrate, scale: step.active ? Math.max(1, height / step.height) : enc.scaleResolutionDownBy };
    if (enc.active === want.active && enc.maxBitrate === want.maxBitrate && enc.scaleResolutionDownBy === want.scale) return;
    enc.active = want.active;
    if (want.maxBitrate !== undefined) enc.maxBitrate = want.maxBitrate;
    if (want.scale !== undefined) enc.scaleResolutionDownBy = want.scale;
    await sender.setParameters(params).catch(() => {
      // The sender changed under us (a new connection); the next round applies again.
    });
  }
}
