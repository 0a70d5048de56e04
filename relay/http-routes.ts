import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRoomId } from '../core/protocol.js';
import { serveStatic } from './static-files.js';
import { postQuality } from './quality-route.js';
import { applyCors } from './cors.js';
import { verifyRoomToken } from './room-token.js';
import { iceServersFor } from './turn-credentials.js';
import type { RelayServer } from './relay-server.js';
import type { RelayRoom } from './relay-room.js';

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
    const healthy = !relay.isClosing;
    return json(res, healthy ? 200 : 503, {
      status: healthy ? 'ok' : 'shutting-down',
      rooms: relay.roomCount(),
      connections: relay.connectionCount(),
      uptimeSeconds: Math.round((Date.now() - relay.startedAt) / 1000),
    });
  }

  if (path === '/metrics') {
    let members = 0;
    for (const room of relay.allRooms()) members += room.members.size;
    const text = relay.metrics.render({
      mesh_relay_connections: { help: 'Open WebSocket connections.', value: relay.connectionCount() },
      mesh_relay_rooms: { help: 'Rooms with at least one member.', value: relay.roomCount() },
      mesh_relay_members: { help: 'Members, including those in their grace period.', value: members },
      mesh_relay_replay_buffer_bytes: { help: 'Bytes of message data held for replay.', value: relay.store.totalBytes() },
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
    const room = relay.getRoom(url.searchParams.get('room') ?? '');
    const member = room?.members.get(url.searchParams.get('peer') ?? '');
    if (!member || bearer(req) !== member.key) {
      return json(res, 403, { error: 'not-joined', message: 'TURN credentials are for room members: ?room=&peer= and "Authorization: Bearer <key>"' });
    }
    const ice = iceServersFor(relay.iceConfig, member.id);
    return json(res, 200, { iceServers: ice.iceServers, ttlSeconds: ice.ttlSeconds });
  }

  if (roomRoute) {
    const [, rawId, what] = roomRoute;
    const method = what === 'state' ? 'GET' : 'POST';
    if (req.method !== method) return json(res, 405, { error: 'method-not-allowed', message: `use ${method}` });
    let id = '';
    try { id = decodeURIComponent(rawId); } catch { /* stays invalid */ }
    if (!isValidRoomId(id)) return json(res, 400, { error: 'invalid-room', message: 'room ids are 1–64 characters of [A-Za-z0-9_.-]' });
    const room = relay.getRoom(id);
    if (what === 'state' && relay.options.secret) {
      // Protected rooms: the state is for holders of a token for this room.
      const check = verifyRoomToken(relay.options.secret, bearer(req), id, (n) => n, '', Date.now(), { ignoreName: true });
      if (!check.ok) return json(res, 401, { error: check.code, message: `${check.message} (send "Authorization: Bearer <room token>")` });
    }
    if (!room) return json(res, 404, { error: 'unknown-room', message: `no room "${id}" on this relay` });
    if (what === 'quality') return postQuality(room, req, res, json);
    return json(res, 200, await roomState(relay, room));
  }

  if (await serveStatic(relay.options.static, req, res)) return;
  json(res, 404, { error: 'not-found', message: `nothing at ${path}` });
}

async function roomState(relay: RelayServer, room: RelayRoom) {
  const now = Date.now();
  const slice = await relay.store.since(room.id, 0, now);
  return {
    room: room.id,
    epoch: room.epoch,
    lastSeq: room.seq,
    buffer: { messages: slice.messages.length, bytes: slice.messages.reduce((s, m) => s + m.bytes, 0), firstSeq: slice.firstSeq },
    members: [...room.members.values()].map((m) => ({
      id: m.id, name: m.name, online: m.socket !== null, lastN: m.lastN,
      disconnectedForMs: m.disconnectedAt === null ? null : now - m.disconnectedAt,
      quality: m.quality,
    })),
  };
}
