import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the relay's JSON endpoints, so pages on other origins (the usual case: a page on
 * example.org, the relay on relay.example.org) can read room state and post quality reports.
 * `allowed(origin)` decides; an allowed origin is reflected, never `*` with credentials.
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: (origin: string) => boolean): boolean {
  const origin = req.headers.origin;
  if (origin && allowed(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
  }
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
