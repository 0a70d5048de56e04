import { MeshError } from '../base/errors.js';
import type { PeerLink } from '../link/peer-link.js';
import type { FeatureHost, FeatureLoaders, FeatureMap, RoomFeature } from './feature.js';

type Name = keyof FeatureMap;
const ORDER: readonly Name[] = ['files', 'recording', 'media', 'sfu'];

/**
 * The features of one room: each loaded and installed the first time it is asked for, once
 * (concurrent callers share the load; a failed load is tried again next time). An installed
 * feature hears about every link the room already has, then about each new one.
 */
export class FeatureSlots {
  readonly #loaders: FeatureLoaders;
  readonly #host: FeatureHost;
  readonly #installed: Partial<FeatureMap> = {};
  readonly #loading: { [K in Name]?: Promise<FeatureMap[K]> } = {};

  constructor(host: FeatureHost, loaders: FeatureLoaders) {
    this.#host = host;
    this.#loaders = loaders;
  }

  /** The feature when installed (undefined until it was first used). */
  get<K extends Name>(name: K): FeatureMap[K] | undefined {
    return this.#installed[name];
  }

  /** Loads and installs `name` once; rejects with `feature-unavailable` when it cannot be loaded. */
  use<K extends Name>(name: K): Promise<FeatureMap[K]> {
    const have = this.#installed[name];
    if (have) return Promise.resolve(have);
    let p = this.#loading[name] as Promise<FeatureMap[K]> | undefined;
    if (!p) {
      const load = this.#loaders[name] as (() => Promise<(h: FeatureHost) => FeatureMap[K]>) | undefined;
      p = (load ? load() : Promise.reject(new Error('no loader was given for it')))
        .then((install) => {
          const feature = install(this.#host);
          this.#installed[name] = feature;
          for (const [id, link] of this.#host.links()) feature.link?.(id, link);
          return feature;
        }, (err: Error) => {
          delete this.#loading[name];
          throw new MeshError('feature-unavailable', `the ${name} part of mesh-room could not be loaded (${err?.message ?? err}); check that the files next to mesh-room.js are served`, { cause: err });
        });
      this.#loading[name] = p as never;
    }
    return p;
  }

  /** Every installed feature, for the room's hooks: files and recording first, then media (our tracks) and the SFU. */
  each(fn: (f: RoomFeature) => void): void {
    for (const name of ORDER) {
      const f = this.#installed[name];
      if (f) fn(f);
    }
  }

  /** Tells every installed feature about a new link. */
  link(id: string, link: PeerLink): void {
    this.each((f) => f.link?.(id, link));
  }
}
