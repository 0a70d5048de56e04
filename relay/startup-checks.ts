import type { RelayOptions } from './relay-options.js';

/** Hosts that only this machine can reach. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|\[::1\])$/i;

/**
 * What an operator must hear at start-up about how exposed the relay is: open mode beyond
 * loopback (anyone who knows a room name can join it, read its recent history and its state),
 * TURN credentials handed to anyone, and `*` in the origin list.
 */
export function startupWarnings(o: RelayOptions): Array<{ code: string; message: string }> {
  const out: Array<{ code: string; message: string }> = [];
  const exposed = !LOOPBACK.test(o.host);
  if (!o.secret && exposed) {
    out.push({ code: 'open-mode', message: `OPEN MODE on ${o.host}: no --secret, so anyone who can reach this relay and knows a room name can join that room, read its recent messages and GET /rooms/<id>/state. Set MESH_SECRET and hand out room tokens to close rooms.` });
  }
  if (o.turnSecret && !o.secret) {
    out.push({ code: 'open-turn', message: 'OPEN TURN: --open-turn is set and there is no --secret, so every client that joins any room gets credentials for your TURN server (anyone can relay traffic through it).' });
  }
  if (o.allowedOrigins.includes('*')) {
    out.push({ code: 'any-origin', message: '--allowed-origins includes *: pages on any site may use this relay from their visitors\' browsers.' });
  }
  if (exposed && o.allowedOrigins.includes('self') && o.publicOrigins.length === 0 && (o.host === '0.0.0.0' || o.host === '::')) {
    out.push({ code: 'no-public-origin', message: `"self" in --allowed-origins has no address to stand for while bound to ${o.host}: set --public-origin https://your.site so the relay's own pages may use it.` });
  }
  return out;
}
