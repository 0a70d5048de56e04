// The README rows of bench/outage.mjs (used by run-all.mjs, and by outage.mjs to print them).
const ms = (n) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const mm = (s) => `${ms(s.median)} median, ${ms(s.max)} max`;

/** Rows `[benchmark, mesh-room, compared with]` for the outage report `o`. */
export function outageRows(o) {
  const rows = [];
  for (const [size, m] of Object.entries(o.members ?? {})) {
    const down = Object.entries(m.relayDown ?? {});
    if (down.length > 0) {
      const cells = down.map(([len, x]) => `${len}: ${ms(x.lastMemberBackMs.median)} / ${ms(x.lastMemberBackMs.max)}`).join('; ');
      const cycles = [...new Set(down.map(([, x]) => x.cycles))].join('/');
      rows.push([`\`outage\` — ${size} members, relay SIGKILLed for L s: relay listening → the last member \`connected\`, median / max (${cycles} cycles)`, cells, 'goal: median ≤ 1.5 s, max ≤ 3 s']);
      const all = down.map(([, x]) => x.backToConnectedMs);
      rows.push(['same, every member (not only the last)', `${ms(Math.max(...all.map((x) => x.median)))} worst median, ${ms(Math.max(...all.map((x) => x.max)))} max`, `kill noticed in ${ms(Math.max(...down.map(([, x]) => x.detectMs.max)))} max`]);
    }
    if (m.blackHole) rows.push([`same, ${size} members, relay black-holed (nft; sockets open): fault → \`reconnecting\`; heal → \`connected\` (${m.blackHole.cycles} cycles)`, `${mm(m.blackHole.detectMs)}; ${mm(m.blackHole.healToConnectedMs)}`, 'goal ≤ 5 s; ≤ 2 s (was 36.5 s; 2.9 s)']);
    if (m.udpDropped) rows.push([`same, ${size} members, all UDP dropped: each link \`reconnecting\`; heal → first peer-to-peer message (${m.udpDropped.cycles} cycles)`, `${mm(m.udpDropped.linkDetectMs)}; ${mm(m.udpDropped.healToP2pDataMs)}`, 'goal ≤ 2 s; ≤ 1 s (ICE consent alone: 5.5 s)']);
  }
  const h = o.herd;
  if (h) {
    const d = h.defaultBackoff;
    const n = h.noBackoffBaseline;
    rows.push([`same, ${d.clients} members (rooms of 8, own addresses), relay down ${ms(h.outageMs)}: listening → all \`connected\`; arrivals p10–p90; peak accepts per 100 ms; relay CPU peak`,
      `${ms(d.backToConnectedMs.median)} median, ${ms(d.backToConnectedMs.max)} max; ${ms(d.arrivalsMs.p10)}–${ms(d.arrivalsMs.p90)}; ${d.peakAcceptsPer100ms}; ${d.relayCpuPercent.peak} %`,
      `no backoff (saturation baseline): ${ms(n.backToConnectedMs.max)} max; ${ms(n.arrivalsMs.p10)}–${ms(n.arrivalsMs.p90)}; ${n.peakAcceptsPer100ms}; ${n.relayCpuPercent.peak} %`]);
  }
  const i = o.idle;
  if (i) {
    rows.push([`same, ${i.members.toLocaleString('en')} idle members: relay CPU and bytes written per second with beats every ${ms(i.heartbeatMs)}`,
      `${i.heartbeatOn.relayCpuPercentOfOneCore} % of a core, ${Math.round(i.heartbeatOn.relayBytesWrittenPerSecond / 1024)} KiB/s`,
      `beats off: ${i.heartbeatOff.relayCpuPercentOfOneCore} %, ${Math.round(i.heartbeatOff.relayBytesWrittenPerSecond / 1024)} KiB/s → beats cost ${i.heartbeatCost.cpuPercentOfOneCore} % (goal < 5 %)`]);
  }
  return rows;
}
