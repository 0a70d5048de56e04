import { Timer, type Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';

type IceServer = { urls: string | string[]; username?: string; credential?: string };

export interface IceFeedOptions {
  clock: Clock;
  /** The application's configuration; its `iceServers`, when given, win over the relay's. */
  base?: RTCConfiguration;
  fetch?: typeof fetch;
  /** New servers (after a refresh) for the existing connections. */
  onUpdate(config: RTCConfiguration): void;
  onError(error: MeshError): void;
}

/**
 * The ICE servers peer connections use: the application's own, or those the relay hands out in
 * its welcome (STUN, and TURN with short-lived credentials). TURN credentials are refreshed at
 * half their lifetime from `GET /turn-credentials`, so a call outlives them; if a refresh fails,
 * the old ones stay in use, it is said once, and it is retried.
 */
export class IceServerFeed {
  #relayServers: IceServer[] = [];
  readonly #timer: Timer;
  #source: { url: string; key: string } | null = null;

  readonly #options: IceFeedOptions;
  constructor(options: IceFeedOptions) {
    this.#options = options;
    this.#timer = new Timer(options.clock);
  }

  /** The configuration for a new connection. */
  config(): RTCConfiguration {
    const base = this.#options.base ?? {};
    if (base.iceServers) return base;
    return { ...base, iceServers: this.#relayServers };
  }

  /** Servers from the relay's welcome; `refreshUrl` is `…/turn-credentials?room=…&peer=…`. */
  fromWelcome(iceServers: IceServer[] | undefined, ttlSeconds: number | undefined, refreshUrl: string, key: string): void {
    this.#relayServers = iceServers ?? [];
    this.#source = { url: refreshUrl, key };
    this.#timer.clear();
    if (ttlSeconds && !this.#options.base?.iceServers) this.#schedule(ttlSeconds * 500);
  }

  close(): void {
    this.#timer.clear();
    this.#source = null;
  }

  #schedule(ms: number): void {
    this.#timer.set(ms, () => void this.#refresh());
  }

  async #refresh(): Promise<void> {
    const source = this.#source;
    const send = this.#options.fetch ?? globalThis.fetch;
    if (!source) return;
    try {
      const res = await send(source.url, { headers: { authorization: `Bearer ${source.key}` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { iceServers: IceServer[]; ttlSeconds: number | null };
      if (this.#source !== source) return;
      this.#relayServers = body.iceServers;
      this.#options.onUpdate(this.config());
      if (body.ttlSeconds) this.#schedule(body.ttlSeconds * 500);
    } catch (err) {
      if (this.#source !== source) return;
      this.#options.onError(new MeshError('turn-unavailable', `TURN credentials could not be refreshed (${(err as Error).message}); the current ones stay in use until they expire`, { cause: err }));
      this.#schedule(30_000);
    }
  }
}

/** True when the selected candidate pair's local side is a TURN relay candidate. */
export async function pathIsRelayed(pc: RTCPeerConnection): Promise<boolean> {
  const stats = await pc.getStats();
  let pairId: string | undefined;
  for (const s of stats.values()) if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  const pair = pairId ? stats.get(pairId) : undefined;
  return stats.get(pair?.localCandidateId)?.candidateType === 'relay';
}
