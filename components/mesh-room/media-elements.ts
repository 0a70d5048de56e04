let mediaElements: Promise<unknown> | null = null;

/** Defines `<mesh-video-grid>` and `<mesh-media-controls>` (a separate chunk), once; a failed load can be tried again. */
export function loadMediaElements(): Promise<unknown> {
  return (mediaElements ??= import('../media.js').catch((err) => {
    mediaElements = null;
    throw err;
  }));
}
