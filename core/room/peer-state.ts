import type { PeerLink } from '../link/peer-link.js';
import type { HealthMetrics } from '../link/health-stats.js';
import type { QualityLevel } from '../protocol/quality.js';
import type { MediaState, StreamStall } from './feature-types.js';

/** What the room knows of a peer beyond its membership: announced media, stream, link health. */
export interface PeerExtras {
  /** What the peer says it sends (null until it said so). */
  media: MediaState | null;
  /** The peer records the room. */
  recording: boolean;
  /** The peer's audio/video (null until a track arrived). */
  stream: MediaStream | null;
  metrics: HealthMetrics | null;
  quality: QualityLevel | null;
  /** The peer's incoming media stopped moving (null while it moves). */
  stall: StreamStall | null;
}

/** What we tell every peer: what we send, whether we record, and whether our media goes through the SFU. */
export type Announcement = MediaState & { recording: boolean; sfu: boolean };

const NONE: PeerExtras = { media: null, recording: false, stream: null, metrics: null, quality: null, stall: null };

/**
 * Per-peer extras, and our own announcement: what we send and whether we record, told to every
 * peer over its data channel now and whenever a link (re)connects. Small enough for the kernel,
 * so a data-only member shows who records and what others send without loading any feature.
 */
export class PeerStates {
  readonly #peers = new Map<string, PeerExtras>();
  #own: Announcement = { audio: false, video: false, screen: false, recording: false, sfu: false };

  of(id: string): PeerExtras { return this.#peers.get(id) ?? NONE; }

  /** Updates what we know of `id`; true when something changed. */
  set(id: string, patch: Partial<PeerExtras>): boolean {
    const before = this.of(id);
    const next = { ...before, ...patch };
    this.#peers.set(id, next);
    return (Object.keys(patch) as Array<keyof PeerExtras>).some((k) => next[k] !== before[k]);
  }

  forget(id: string): void { this.#peers.delete(id); }

  /** Changes our announcement and tells every link. */
  announce(patch: Partial<Announcement>, links: Iterable<[string, PeerLink]>): void {
    this.#own = { ...this.#own, ...patch };
    for (const [, link] of links) this.announceTo(link);
  }

  /** Tells one link our announcement (best effort: a newer one replaces it). */
  announceTo(link: PeerLink): void {
    link.send({ t: 'media', ...this.#own }, true);
  }

  clear(): void { this.#peers.clear(); }
}
