// The baseline for bench/relay.mjs: the smallest useful broadcast server on `ws` — rooms by URL
// (?room=R), every text frame sent on to the others in the room, nothing else (no validation,
// no storage, no acknowledgements; the received bytes are sent on without decoding, as in ws's
// broadcast example). It batches writes exactly as the relay does
// (relay/write-batcher.ts): a socket written to in one event-loop turn is corked until one
// shared setImmediate uncorks them all, so both servers make one write syscall per socket per
// turn. Usage: node bench/raw-ws-server.mjs (prints its port).
import { WebSocketServer } from 'ws';

const corked = [];
let scheduled = false;
function uncorkAll() {
  scheduled = false;
  for (const s of corked.splice(0)) s.uncork();
}
function corkUntilNextTurn(ws) {
  const socket = ws._socket;
  if (!socket?.cork || socket.writableCorked) return;
  socket.cork();
  corked.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}

const rooms = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = new URL(req.url, 'http://x').searchParams.get('room') ?? '';
  let set = rooms.get(room);
  if (!set) rooms.set(room, (set = new Set()));
  set.add(ws);
  ws.on('message', (data, isBinary) => {
    // As in ws's own broadcast example: the received bytes go out as they came.
    for (const other of set) {
      if (other === ws || other.readyState !== 1) continue;
      corkUntilNextTurn(other);
      other.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => set.delete(ws));
});
wss.on('listening', () => console.log(`raw-ws listening on ${wss.address().port}`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
