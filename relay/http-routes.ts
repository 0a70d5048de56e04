import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRoomId } from '../core/protocol.js';
import type { RoomBackend } from './contracts.js';
import type { RelayMetrics } from './relay-metrics.js';
import type { RelayOptions } from './relay-options.js';
import type { KeyedLimiter } from './rate-limiter.js';
import type { Logger } from './logger.js';
import { serveStatic } from './static-files.js';
import { postQuality } from './quality-route.js';
import { applyCors, securityHeaders } from './security-headers.js';
import { verifyRoomToken } from './room-token.js';
import { iceServersFor, type IceConfig } from './turn-credentials.js';
import { addressKey } from './address-key.js';

/** What the HTTP endpoints need from the relay (implemented by `RelayServer`). */
export interface HttpHost {
  readonly options: RelayOptions;
  readonly backend: RoomBackend;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly origins: { allows(origin: string | undefined): boolean };
  readonly httpLimiter: KeyedLimiter;
  readonly clock: { now(): number };
  readonly startedAt: number;
  readonly isClosing: boolean;
  readonly iceConfig: IceConfig;
  roomCount(): number;
  connectionCount(): number;
  eventLoopLagSeconds(): number;
  clientAddress(req: IncomingMessage): string;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders(false),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

/**
 * HTTP endpoints of the relay. `/healthz` and `/metrics` are for operators and always answer;
 * everything else is rate-limited per address (an IPv6 /64 counts as one). The JSON endpoints
 * for rooms follow the origin allow-list (with CORS for allowed origins); anything else falls
 * through to the static mounts, then 404.
 */
export async function handleHttp(relay: HttpHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay');
  const path = url.pathname;

  if (path === '/healthz') {
    // Any page may read it: clients ask it before a reconnect (core/signaling/relay-reachable.ts),
    // and a proxy's error page for a relay that is down, without this header, reads as down.
    res.setHeader('access-control-allow-origin', '*');
    const healthy = !relay.isClosing && relay.backend.healthy;
    return json(res, healthy ? 200 : 503, {
      status: relay.isClosing ? 'shutting-down' : healthy ? 'ok' : 'degraded',
      store: relay.backend.healthy ? 'ok' : 'unavailable',
      rooms: relay.roomCount(),
      connections: relay.connectionCount(),
      uptimeSeconds: Math.round((Date.now() - relay.startedAt) / 1000),
    });
  }

  if (path === '/metrics') {
    const stats = relay.backend.stats();
    const text = relay.metrics.render({
      mesh_relay_connections: { help: 'Open WebSocket connections.', value: relay.connectionCount() },
      mesh_relay_rooms: { help: 'Rooms with at least one member (on this node).', value: stats.rooms },
      mesh_relay_members: { help: 'Members, including those in their grace period (on this node).', value: stats.members },
      mesh_relay_replay_buffer_bytes: { help: 'Bytes of message data held for replay.', value: stats.bufferBytes },
      mesh_relay_store_up: { help: '1 while the room store (memory or Redis) serves joins.', value: relay.backend.healthy ? 1 : 0 },
      mesh_relay_event_loop_lag_seconds: { help: 'Event-loop delay, p99 over the last 10 s.', value: relay.eventLoopLagSeconds() },
    });
    res.writeHead(200, { ...securityHeaders(false), 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
    return;
  }

  if (!relay.httpLimiter.take(addressKey(relay.clientAddress(req)), Date.now())) {
    relay.metrics.httpRateLimited++;
    res.setHeader('retry-after', '1');
    return json(res, 429, { error: 'rate-limited', message: 'too many requests from this address; retry in a second' });
  }

  const allowed = (origin: string) => relay.origins.allows(origin);
  if (applyCors(req, res, allowed)) return;

  const roomRoute = /^\/rooms\/([^/]+)\/(state|quality)$/.exec(path);
  if ((roomRoute || path === '/turn-credentials') && !relay.origins.allows(req.headers.origin)) {
    return json(res, 403, { error: 'origin-denied', message: `pages from ${String(req.headers.origin).slice(0, 200)} may not use this relay (see --allowed-origins)` });
  }

  if (path === '/turn-credentials') {
    if (req.method !== 'GET') return json(res, 405, { error: 'method-not-allowed', message: 'use GET' });
    const room = url.searchParams.get('room');
    const peer = url.searchParams.get('peer') ?? '';
    const key = bearer(req);
    const member = isValidRoomId(room) && peer && key ? await relay.backend.checkMemberKey(room, peer, key) : false;
    if (!member) {
      return json(res, 403, { error: 'not-joined', message: 'TURN credentials are for room members: ?room=&peer= and "Authorization: Bearer <key>"' });
    }
    const ice = iceServersFor(relay.iceConfig, peer, relay.clock.now());
    return json(res, 200, { iceServers: ice.iceServers, ttlSeconds: ice.ttlSeconds });
  }

  if (roomRoute) {
    const [, rawId, what] = roomRoute;
    const method = what === 'state' ? 'GET' : 'POST';
    if (req.method !== method) return json(res, 405, { error: 'method-not-allowed', message: `use ${method}` });
    let id = '';
    try { id = decodeURIComponent(rawId); } catch { /* stays invalid */ }
    if (!isValidRoomId(id)) return json(res, 400, { error: 'invalid-room', message: 'room ids are 1–64 characters of [A-Za-z0-9_.-]' });
    if (what === 'state' && relay.options.secret) {
      // Protected rooms: the state is for holders of a token for this room.
      const check = verifyRoomToken(relay.options.secret, bearer(req), id, (n) => n, '', relay.clock.now(), { ignoreName: true });
      if (!check.ok) return json(res, 401, { error: check.code, message: `${check.message} (send "Authorization: Bearer <room token>")` });
    }
    if (what === 'quality') return postQuality(relay.backend, id, req, res, json, relay.clock.now());
    const view = await relay.backend.view(id);
    if (!view) return json(res, 404, { error: 'unknown-room', message: `no room "${id}" on this relay` });
    return json(res, 200, view);
  }

  if (await serveStatic(relay.options.static, req, res, (err) => relay.log.warn('static file read failed', { path, err: String(err) }))) return;
  json(res, 404, { error: 'not-found', message: `nothing at ${path.slice(0, 200)}` });
}
