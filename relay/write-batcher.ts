import type { WebSocket } from 'ws';

type Corkable = { cork(): void; uncork(): void };
const corked: Corkable[] = [];
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  const sockets = corked.splice(0);
  for (const s of sockets) s.uncork();
}

/**
 * Everything written to a socket during one event-loop turn leaves in one write: under load a
 * socket receives several frames per turn, and one syscall each was most of the relay's CPU.
 * One `setImmediate` per turn uncorks every socket corked in it. (`ws` has no cork of its own;
 * its underlying TCP socket has.)
 */
export function corkUntilNextTurn(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: Corkable & { writableCorked?: number } })._socket;
  if (!socket?.cork || socket.writableCorked) return;
  socket.cork();
  corked.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}
