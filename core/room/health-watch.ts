import { MeshError } from '../base/errors.js';
import type { RoomHealth, RoomHealthHost } from './room-health.js';

/**
 * The room's link health, loaded with the first connected link (a member alone never needs it):
 * one {@link RoomHealth}, started once, closed with the room. A failed load is reported and
 * tried again with the next connected link.
 */
export class HealthWatch {
  readonly #host: RoomHealthHost;
  readonly #error: (e: MeshError) => void;
  #health: RoomHealth | null = null;
  #load: Promise<void> | null = null;
  #closed = false;

  constructor(host: RoomHealthHost, error: (e: MeshError) => void) {
    this.#host = host;
    this.#error = error;
  }

  /** A link connected: load and start the watch, once. */
  start(): void {
    this.#load ??= this.#start();
  }

  forget(id: string): void { this.#health?.forget(id); }

  /** Stops measuring. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#health?.close();
    this.#health = null;
  }

  async #start(): Promise<void> {
    try {
      const { RoomHealth } = await import('./room-health.js');
      if (this.#closed) return;
      this.#health = new RoomHealth(this.#host);
      this.#health.start();
    } catch (err) {
      this.#load = null;
      this.#error(new MeshError('feature-unavailable', `link health could not be loaded (${(err as Error)?.message ?? err}); the room works without quality figures`, { cause: err }));
    }
  }
}
