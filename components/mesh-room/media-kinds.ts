import type { MediaKinds } from '../../core/index.js';

/** Parses the `media` attribute: `none`, `audio`, `video` or `audio video` (any order). */
export function mediaKinds(attr: string | null | undefined): MediaKinds | null {
  const words = new Set((attr ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean));
  const kinds = { audio: words.has('audio'), video: words.has('video') };
  return kinds.audio || kinds.video ? kinds : null;
}
