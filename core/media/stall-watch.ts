import { Timer } from '../base/clock.js';
import type { PeerLink } from '../link/peer-link.js';
import type { FeatureHost } from '../room/feature.js';
import type { StallKind, StreamStall } from '../room/feature-types.js';
import { inboundProgress, StallDetector } from './stall-detector.js';
import { StallRepair, type RepairActions } from './stall-repair.js';

/** How often a link's incoming media is checked, ms. */
export const STALL_CHECK_MS = 500;

/** The data-channel frame that asks a peer to restart what it sends us (repair step 1). */
export interface MediaRepairFrame { t: 'media-repair'; kinds: StallKind[] }

/** A valid {@link MediaRepairFrame}'s kinds, or null. Peers are other people's browsers. */
export function repairKinds(v: unknown): StallKind[] | null {
  const f = v as Partial<MediaRepairFrame> | null;
  if (f?.t !== 'media-repair' || !Array.isArray(f.kinds) || f.kinds.length > 2) return null;
  return f.kinds.every((k) => k === 'audio' || k === 'video') ? f.kinds : null;
}

/**
 * Renegotiates the transceivers that receive `kinds`: receiving is switched off and, once that
 * negotiation settled, back on, so the sender sets its stream up afresh (repair step 2).
 */
function renegotiate(pc: RTCPeerConnection, kinds: StallKind[], host: FeatureHost): void {
  for (const t of pc.getTransceivers()) {
    const d = t.direction;
    if (!kinds.includes(t.receiver.track.kind as StallKind) || t.currentDirection === 'stopped' || !d.includes('recv')) continue;
    t.direction = d === 'sendrecv' ? 'sendonly' : 'inactive';
    const timer = new Timer(host.clock);
    const restore = () => {
      pc.removeEventListener('signalingstatechange', settled);
      timer.clear();
      if (pc.signalingState !== 'closed') t.direction = d;
    };
    const settled = () => pc.signalingState === 'stable' && restore();
    pc.addEventListener('signalingstatechange', settled);
    timer.set(2000, restore);
  }
}

/**
 * Watches one peer's incoming media ({@link StallDetector}) every {@link STALL_CHECK_MS} and
 * repairs it ({@link StallRepair}) when the `repairStalls` option allows. The room shows the
 * stall as `peer.stall` and in `peer.metrics.stalled`; each repair step is a `media-repair` event.
 */
export function watchStalls(host: FeatureHost, id: string, link: PeerLink): () => void {
  const timer = new Timer(host.clock);
  const detector = new StallDetector();
  let pc: RTCPeerConnection | null = null;
  let shown: StreamStall | null = null;
  const actions: RepairActions = {
    // Droppable: a request about this connection's streams means nothing over a later one.
    'key-frame': (kinds) => link.send({ t: 'media-repair', kinds } satisfies MediaRepairFrame, true),
    renegotiate: (kinds) => link.connection && renegotiate(link.connection, kinds, host),
    'ice-restart': () => link.recover('ice-restart', 'media stalled'),
    recreate: () => link.recover('recreate', 'media stalled'),
  };
  const repair = new StallRepair(host.clock, actions, (c) => host.emit('media-repair', { peer: id, ...c, at: host.clock.now() }));
  const show = (kinds: StallKind[]) => {
    const off = host.options.repairStalls === false;
    const state = repair.state;
    const next = kinds.length || !off && state !== 'idle' && state !== 'moving'
      ? { kinds: kinds.length ? kinds : repair.kinds, repair: off ? 'off' : state, since: shown?.since ?? host.clock.now() } : null;
    if (`${next?.repair}${next?.kinds}` === `${shown?.repair}${shown?.kinds}`) return;
    shown = next;
    host.stall(id, next);
  };
  const check = async () => {
    const now = link.connection;
    const media = host.peers().find((p) => p.id === id)?.media;
    const expect = { audio: !!media?.audio, video: !!media?.video };
    let report: RTCStatsReport | null = null;
    if (now && link.state === 'connected') report = await now.getStats().catch(() => null);
    if (repair.state === 'closed') return;
    const reading = detector.read(host.clock.now(), report && inboundProgress(report.values() as Iterable<never>), expect, now !== pc);
    if (report) pc = now;
    if (host.options.repairStalls !== false) repair.update(reading);
    show(reading.stalled);
    timer.set(STALL_CHECK_MS, () => void check());
  };
  timer.set(STALL_CHECK_MS, () => void check());
  return () => {
    timer.clear();
    repair.close();
    if (shown) host.stall(id, null);
  };
}
