import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The policy of the relay's own pages (the demo, `cms.html`): scripts and styles from the relay
 * only (no inline code, no eval), WebSocket to a relay, camera and recording blobs, and no
 * framing by other sites (clickjacking a page that asks for the camera).
 */
export const PAGE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:", "media-src 'self' blob: mediastream:", "object-src 'none'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'self'",
].join('; ');

/**
 * For everything that is not a page (JSON, scripts, styles): no site may frame it. (Not
 * `default-src 'none'`: a JSON URL opened as a same-origin blank page, as tests and tools do,
 * must still be able to import the bundle; `nosniff` keeps JSON from running as anything else.)
 */
const RESOURCE_CSP = "frame-ancestors 'none'";

/** Headers every response carries. `page`: an HTML document served to browsers. */
export function securityHeaders(page: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': page ? PAGE_CSP : RESOURCE_CSP,
    'x-frame-options': page ? 'SAMEORIGIN' : 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/**
 * CORS for the relay's endpoints and files, so pages on other origins (the usual case: a page on
 * example.org, the relay on relay.example.org) can load the bundle, read room state and post
 * quality reports. `allowed(origin)` decides; an allowed origin is reflected (never `*`).
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: (origin: string) => boolean): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'origin');
  if (origin && allowed(origin)) res.setHeader('access-control-allow-origin', origin);
  if (req.method !== 'OPTIONS') return false;
  if (origin && allowed(origin)) {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
  } else {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.write(JSON.stringify({ error: 'origin-denied', message: 'this origin may not use the relay' }));
  }
  res.end();
  return true;
}
