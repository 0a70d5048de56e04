import type { PeerLink } from '../link/peer-link.js';
import type { FilesFeature } from './feature.js';

/** Frames held per room while the files feature loads (an offer is one; chunks follow only after it). */
const MAX_HELD = 64;

/**
 * Frames that reach a `files` channel before the files feature is installed: the first one
 * starts loading it, and all are handed over, in order, once it is there. Frames from a link
 * that was replaced meanwhile are dropped, and so is anything past {@link MAX_HELD} (only a flood
 * of offers within the few milliseconds of the load gets there: hostile input, not a user).
 */
export class EarlyFileFrames {
  #held: Array<{ id: string; link: PeerLink; data: string | ArrayBuffer }> = [];
  readonly #current: (id: string) => PeerLink | null;
  readonly #load: () => void;

  constructor(current: (id: string) => PeerLink | null, load: () => void) {
    this.#current = current;
    this.#load = load;
  }

  hold(id: string, link: PeerLink, data: string | ArrayBuffer): void {
    if (this.#held.length >= MAX_HELD) return;
    this.#held.push({ id, link, data });
    if (this.#held.length === 1) this.#load();
  }

  /** Hands every held frame to the installed feature. */
  replay(files: FilesFeature): void {
    const held = this.#held;
    this.#held = [];
    for (const { id, link, data } of held) if (this.#current(id) === link) files.frame(id, data);
  }

  clear(): void { this.#held = []; }
}
