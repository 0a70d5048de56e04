import type { Clock } from '../base/clock.js';

/**
 * Asks whether the relay answers at all, over HTTP rather than with a WebSocket. Chromium slows
 * a renderer's WebSocket connects down once many of them have failed: each waits a random
 * 1–5 s × 2^(pending + failed / (succeeded + 1)) / 2^16, counted over the last 2–4 minutes
 * (network::WebSocketPerProcessThrottler). A member that retried with WebSockets through a relay
 * outage of a minute was therefore held back 1–5 s after the relay was up again (measured: a
 * connect started 3 s before the relay came back opened 1.8 s after it). Failed fetches are not
 * counted there, so a client that asks with `fetch` first opens its WebSocket unthrottled.
 *
 * Resolves true when the relay sent any HTTP answer (an error status too), false when the request
 * failed or was aborted.
 */
export type RelayReachable = (wsUrl: string, signal: AbortSignal) => Promise<boolean>;

/** The relay's `/healthz` beside its WebSocket path, over http(s). Throws on a malformed URL. */
export const healthzUrl = (wsUrl: string): string => new URL('healthz', wsUrl.replace(/^ws/i, 'http')).href;

/**
 * The check a page uses by default: a CORS GET of `/healthz` (the relay lets any origin read it;
 * no cookies). A reverse proxy's error page for a relay that is down lacks that permission and
 * reads as down. Null outside a page. The client uses it only after it has seen it succeed while
 * connected: under a Content-Security-Policy whose `connect-src` allows the relay's `wss:` origin
 * but not its `https:` one it fails, and the client keeps opening WebSockets as before.
 */
export function pageReachability(): RelayReachable | null {
  if (typeof window === 'undefined' || typeof fetch !== 'function') return null;
  return (wsUrl, signal) => Promise.resolve()
    .then(() => fetch(healthzUrl(wsUrl), { cache: 'no-store', credentials: 'omit', signal }))
    .then(() => true, () => false);
}

/**
 * The HTTP questions one signaling client asks: once per relay URL while connected, whether
 * asking works from this page at all; then, while reconnecting, whether the relay is up before a
 * WebSocket is opened. Every question has a deadline of its own (a check that ignores its abort
 * signal still ends there), and {@link close} ends every question under way.
 */
export class RelayQuestions {
  readonly #reachable: RelayReachable | null;
  readonly #clock: Clock;
  /** Per relay URL: whether asking was seen to work while connected. */
  readonly #works = new Map<string, boolean>();
  /** Ends each question under way (as "no answer"). */
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(reachable: RelayReachable | null, clock: Clock) {
    this.#reachable = reachable;
    this.#clock = clock;
  }

  /** Whether reconnects to `url` should ask over HTTP first: it was seen to answer while connected. */
  works(url: string): boolean { return this.#reachable !== null && this.#works.get(url) === true; }

  /**
   * Once per URL, while connected: does asking over HTTP work from this page? An answer that
   * comes after the connection that asked was lost says nothing (the relay may have gone): the
   * next connection asks again. `stillConnected` tells whether that connection is still there.
   */
  check(url: string, stillConnected: () => boolean, ms = 5000): void {
    if (!this.#reachable || this.#works.has(url)) return;
    this.#works.set(url, false);
    void this.ask(url, ms).then((up) => {
      if (up || stillConnected()) this.#works.set(url, up);
      else this.#works.delete(url);
    });
  }

  /**
   * Asks the relay at `url` over HTTP. Resolves false on any failure, on a check that throws,
   * after `ms` (even when the check never settles), and after close().
   */
  ask(url: string, ms: number): Promise<boolean> {
    const reachable = this.#reachable;
    if (!reachable || this.#closed) return Promise.resolve(false);
    const asking = new AbortController();
    return new Promise<boolean>((resolve) => {
      const finish = (up: boolean) => {
        if (!this.#pending.delete(end)) return;
        this.#clock.clearTimeout(deadline);
        if (!up) asking.abort();
        resolve(up);
      };
      const end = () => finish(false);
      this.#pending.add(end);
      const deadline = this.#clock.setTimeout(end, ms);
      Promise.resolve()
        .then(() => reachable(url, asking.signal))
        .then((up) => finish(up === true), end);
    });
  }

  /** Ends every question under way; later ones answer false at once. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const end of [...this.#pending]) end();
  }
}
