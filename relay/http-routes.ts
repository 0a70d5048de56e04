import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRoomId } from '../core/protocol.js';
import { serveStatic } from './static-files.js';
import { postQuality } from './quality-route.js';
import { applyCors } from './cors.js';
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

/** HTTP endpoints of the relay; anything else falls through to the static mounts, then 404. */
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
  if (roomRoute) {
    if (applyCors(req, res, () => true)) return;
    const [, rawId, what] = roomRoute;
    const method = what === 'state' ? 'GET' : 'POST';
    if (req.method !== method) return json(res, 405, { error: 'method-not-allowed', message: `use ${method}` });
    let id = '';
    try { id = decodeURIComponent(rawId); } catch { /* stays invalid */ }
    if (!isValidRoomId(id)) return json(res, 400, { error: 'invalid-room', message: 'room ids are 1–64 characters of [A-Za-z0-9_.-]' });
    const room = relay.getRoom(id);
    if (!room) return json(res, 404, { error: 'unknown-room', message: `no room "${id}" on this relay` });
    if (what === 'quality') return postQuality(room, req, res, json);
    const now = Date.now();
    const slice = await relay.store.since(room.id, 0, now);
    return json(res, 200, {
      room: room.id,
      epoch: room.epoch,
      lastSeq: room.seq,
      buffer: { messages: slice.messages.length, bytes: slice.messages.reduce((s, m) => s + m.bytes, 0), firstSeq: slice.firstSeq },
      members: [...room.members.values()].map((m) => ({
        id: m.id, name: m.name, online: m.socket !== null, lastN: m.lastN,
        disconnectedForMs: m.disconnectedAt === null ? null : now - m.disconnectedAt,
        quality: m.quality,
      })),
    });
  }

  if (await serveStatic(relay.options.static, req, res)) return;
  json(res, 404, { error: 'not-found', message: `nothing at ${path}` });
}
