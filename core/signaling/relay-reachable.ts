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
