// How fast rooms come back, with default client settings and default relay limits, over many cycles:
//  - relay restart: the relay is SIGKILLed; once both rooms say `reconnecting` a message is sent
//    (it waits in the outbox) and the relay is started again on the same port. Reported: the
//    outage (kill → the new relay listens), and from two clocks — the new relay listening, and
//    the kill — to every room `connected` and to that message acknowledged;
//  - UDP outage: all UDP is dropped (nft) until the peer links notice, held 1 s more, then
//    healed; from the heal to every link `connected`, and to the first peer-to-peer message.
// Usage: node bench/recovery.mjs [cycles]   (default 20; needs root for nft)
import { benchNft, ensureLoopbackNamespace, launchChromium, median, report, round, startRelay } from './lib.mjs';

ensureLoopbackNamespace(import.meta.url);
const CYCLES = Number(process.argv[2] ?? 20);

let relay = await startRelay();
const port = relay.port;
const browser = await launchChromium();
const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
const page = await context.newPage();
await page.goto(relay.httpUrl + '/healthz');
await page.evaluate(async (relayUrl) => {
  const { Room } = await import('/dist/core.js');
  const a = new Room({ relay: relayUrl, room: 'recovery', name: 'A' });
  const b = new Room({ relay: relayUrl, room: 'recovery', name: 'B' });
  window.rooms = [a, b];
  window.pings = [];
  b.addEventListener('message', (e) => { if (e.detail.data?.ping) window.pings.push(Date.now()); });
  await a.join();
  await b.join();
}, relay.wsUrl);

const waitFor = (fn, arg, timeout = 60_000) => page.waitForFunction(fn, arg, { timeout, polling: 5 });
const allConnected = () => window.rooms.every((r) => r.state === 'connected' && r.peers.length === 1 && r.peers[0].state === 'connected');
await waitFor(allConnected);

// --- relay restart -------------------------------------------------------------------------
const restart = { outageMs: [], connectedMs: [], ackedMs: [], killToConnectedMs: [], killToAckedMs: [] };
for (let i = 0; i < CYCLES; i++) {
  const killed = Date.now();
  await relay.kill('SIGKILL');
  await waitFor(() => window.rooms.every((r) => r.state === 'reconnecting'));
  // A message sent while the relay is down waits in the outbox until the relay is back.
  await page.evaluate(() => {
    window.acked = null;
    const sent = window.rooms[0].send({ during: true });
    window.rooms[0].addEventListener('acked', (e) => { if (e.detail.id === sent.id) window.acked = Date.now(); });
  });
  relay = await startRelay(['--port', String(port)]);
  const back = Date.now();
  await waitFor(allConnected);
  const connectedAt = await page.evaluate(() => Date.now());
  await waitFor(() => window.acked !== null);
  const ackedAt = await page.evaluate(() => window.acked);
  restart.outageMs.push(back - killed);
  restart.connectedMs.push(connectedAt - back);
  restart.ackedMs.push(ackedAt - back);
  restart.killToConnectedMs.push(connectedAt - killed);
  restart.killToAckedMs.push(ackedAt - killed);
}

// --- UDP outage ------------------------------------------------------------------------------
const nft = benchNft();
const outage = { connectedMs: [], p2pDataMs: [], detectMs: [], heldMs: [] };
for (let i = 0; i < CYCLES; i++) {
  const dropped = Date.now();
  nft.rule('meta l4proto udp drop');
  await waitFor(() => window.rooms.every((r) => r.peers[0]?.state === 'reconnecting'));
  outage.detectMs.push(Date.now() - dropped);
  await new Promise((r) => setTimeout(r, 1000));
  await page.evaluate(() => {
    window.pings = [];
    window.pinger = setInterval(() => window.rooms[0].send({ ping: Date.now() }, { durable: false }), 10);
  });
  nft.heal();
  const healed = Date.now();
  outage.heldMs.push(healed - dropped);
  await waitFor(allConnected);
  const connectedAt = await page.evaluate(() => Date.now());
  await waitFor(() => window.pings.length > 0);
  const firstPing = await page.evaluate(() => { clearInterval(window.pinger); return window.pings[0]; });
  outage.connectedMs.push(connectedAt - healed);
  outage.p2pDataMs.push(firstPing - healed);
}
nft.close();

await browser.close();
await relay.kill();

const summary = (xs) => ({ median: round(median(xs)), max: round(Math.max(...xs)), min: round(Math.min(...xs)) });
report('recovery', {
  cycles: CYCLES,
  goals: { relayRestartToConnectedMedianMs: 1500, udpHealToDataMedianMs: 2000, reconnectMs: 3000 },
  relayRestart: {
    outageMs: summary(restart.outageMs),
    clockFrom: 'the restarted relay listening',
    toConnectedMs: summary(restart.connectedMs),
    toFirstAckMs: summary(restart.ackedMs),
    fromKill: { toConnectedMs: summary(restart.killToConnectedMs), toFirstAckMs: summary(restart.killToAckedMs) },
  },
  udpOutage: {
    detectionMs: summary(outage.detectMs),
    outageMs: summary(outage.heldMs),
    healToConnectedMs: summary(outage.connectedMs),
    healToP2pDataMs: summary(outage.p2pDataMs),
  },
});
