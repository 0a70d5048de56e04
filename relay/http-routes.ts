import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRoomId } from '../core/protocol.js';
import { serveStatic } from './static-files.js';
import { postQuality } from './quality-route.js';
import { applyCors } from './cors.js';
import { verifyRoomToken } from './room-token.js';
import { iceServersFor } from './turn-credentials.js';
import type { RelayServer } from './relay-server.js';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

/**
 * HTTP endpoints of the relay. The JSON endpoints for rooms follow the origin allow-list (with
 * CORS for allowed origins); anything else falls through to the static mounts, then 404.
 */
export async function handleHttp(relay: RelayServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay');
  const path = url.pathname;

  if (path === '/healthz') {
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
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
    return;
  }

  const roomRoute = /^\/rooms\/([^/]+)\/(state|quality)$/.exec(path);
  if (roomRoute || path === '/turn-credentials') {
    const allowed = (origin: string) => relay.origins.allows(origin, req.headers.host);
    if (applyCors(req, res, allowed)) return;
    if (!relay.origins.allows(req.headers.origin, req.headers.host)) {
      return json(res, 403, { error: 'origin-denied', message: `pages from ${req.headers.origin} may not use this relay (see --allowed-origins)` });
    }
  }

  if (path === '/turn-credentials') {
    if (req.method !== 'GET') return json(res, 405, { error: 'method-not-allowed', message: 'use GET' });
    const peer = url.searchParams.get('peer') ?? '';
    const key = isValidRoomId(url.searchParams.get('room')) && peer ? await relay.backend.memberKey(url.searchParams.get('room')!, peer) : null;
    if (!key || bearer(req) !== key) {
      return json(res, 403, { error: 'not-joined', message: 'TURN credentials are for room members: ?room=&peer= and "Authorization: Bearer <key>"' });
    }
    const ice = iceServersFor(relay.iceConfig, peer);
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
      const check = verifyRoomToken(relay.options.secret, bearer(req), id, (n) => n, '', Date.now(), { ignoreName: true });
      if (!check.ok) return json(res, 401, { error: check.code, message: `${check.message} (send "Authorization: Bearer <room token>")` });
    }
    if (what === 'quality') return postQuality(relay.backend, id, req, res, json);
    const view = await relay.backend.view(id);
    if (!view) return json(res, 404, { error: 'unknown-room', message: `no room "${id}" on this relay` });
    return json(res, 200, view);
  }

  if (await serveStatic(relay.options.static, req, res)) return;
  json(res, 404, { error: 'not-found', message: `nothing at ${path}` });
}
