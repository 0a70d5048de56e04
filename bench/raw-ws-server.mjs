// The baseline for bench/relay.mjs: the smallest useful broadcast server on `ws` — rooms by URL
// (?room=R), every text frame sent on to the others in the room, nothing else (no validation,
// no storage, no acknowledgements). Usage: node bench/raw-ws-server.mjs (prints its port).
import { WebSocketServer } from 'ws';

const rooms = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = new URL(req.url, 'http://x').searchParams.get('room') ?? '';
  let set = rooms.get(room);
  if (!set) rooms.set(room, (set = new Set()));
  set.add(ws);
  ws.on('message', (data) => {
    const text = data.toString();
    for (const other of set) if (other !== ws && other.readyState === 1) other.send(text);
  });
  ws.on('close', () => set.delete(ws));
});
wss.on('listening', () => console.log(`raw-ws listening on ${wss.address().port}`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
