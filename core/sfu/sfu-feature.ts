import { MeshError } from '../base/errors.js';
import { HealthMonitor } from '../link/health-monitor.js';
import type { SfuReplyFrame } from '../protocol.js';
import type { FeatureHost, SfuFeature } from '../room/feature.js';
import { SfuPublication } from './sfu-publication.js';
import { SfuSubscription, type SubscriptionHost } from './sfu-subscription.js';

/**
 * Media through the relay's SFU: our microphone and camera published once ({@link SfuPublication}),
 * every other member's publication subscribed to ({@link SfuSubscription}), all through our relay
 * socket (the relay drives Janus for us). Our video goes in three simulcast layers; a
 * {@link HealthMonitor} over the subscriptions picks the layer each of them gets, and finds video
 * that stopped moving (shown as `peer.stall`, the subscription asked for anew). Member links stay
 * for room messages and files; they carry no media in this mode. A refusal or an SFU that is away is reported once as
 * `sfu-unavailable` and tried again until it works.
 */
export function installSfu(host: FeatureHost): SfuFeature {
  const subs = new Map<string, SfuSubscription>();
  let publication: SfuPublication | null = null;
  let on = false;
  /** An `sfu-unavailable` was reported and nothing has worked since. */
  let reported = false;
  const base = {
    clock: host.clock,
    random: host.options.random ?? Math.random,
    RTC: host.options.RTCPeerConnection ?? globalThis.RTCPeerConnection,
    config: () => host.rtcConfig(),
  };
  const subHost: SubscriptionHost = {
    ...base,
    subscribe: (peer) => host.sfu({ type: 'sfu', op: 'subscribe', peer }),
    start: (peer, sdp) => host.sfu({ type: 'sfu', op: 'start', peer, sdp }),
    candidate: (peer, candidate) => host.sfu({ type: 'sfu', op: 'candidate', peer, candidate }),
    stream: (peer, stream) => {
      reported = false;
      host.remoteStream(peer, stream);
    },
    layer: (peer, mid, substream) => host.sfu({ type: 'sfu', op: 'layer', peer, mid, substream }),
    stalled: (peer, since) => host.stall(peer, since === null ? null : { kinds: ['video'], repair: 'resubscribe', since }),
  };
  const sendsVideo = (id: string) => host.peers().find((p) => p.id === id)?.media?.video ?? false;
  // Each subscription's link, measured like a mesh link (RTT, loss, jitter; hysteresis), picks its layer.
  let health: HealthMonitor | null = null;
  /** The members the page shows, with their tiles' widths (null: all, size unknown); the others get the lowest layer. */
  let shown: Map<string, number> | null = null;
  const show = (id: string, s: SfuSubscription) => s.visible(!shown || shown.has(id), shown?.get(id));
  const watch = (id: string) => {
    if (!on || subs.has(id)) return;
    const s = new SfuSubscription(subHost, id);
    subs.set(id, s);
    show(id, s);
    s.request();
  };
  const unwatch = (id: string) => {
    const s = subs.get(id);
    if (!s) return;
    s.close();
    subs.delete(id);
    host.sfu({ type: 'sfu', op: 'stop', peer: id });
    host.remoteStream(id, null);
  };
  const stop = () => {
    health?.close();
    health = null;
    for (const id of [...subs.keys()]) unwatch(id);
    if (publication) host.sfu({ type: 'sfu', op: 'stop' });
    publication?.close();
    publication = null;
    on = false;
  };
  return {
    start() {
      if (on || !host.inRoom()) return;
      on = true;
      const local = host.localMedia();
      if (local) {
        const pub = new SfuPublication({
          ...base,
          publish: (sdp) => host.sfu({ type: 'sfu', op: 'publish', sdp }),
          candidate: (candidate) => host.sfu({ type: 'sfu', op: 'candidate', candidate }),
        }, local);
        publication = pub;
        void pub.start().catch(() => pub.failed());
      }
      for (const p of host.peers()) watch(p.id);
      health = new HealthMonitor({
        clock: host.clock,
        intervalMs: host.options.healthIntervalMs,
        hysteresis: host.options.hysteresis,
        connections: () => [...subs].map(([id, s]) => [id, s.connection] as [string, RTCPeerConnection | null]),
      });
      health.addEventListener('health', ({ detail: { id, quality, metrics } }) => {
        const s = subs.get(id);
        if (!s) return;
        s.quality(quality);
        s.progress(metrics.framesDecoded, sendsVideo(id));
        // What the member sees of this peer is what comes through the SFU: its peer.quality.
        host.health(id, quality, metrics);
      });
      health.start();
    },
    fromRelay(f: SfuReplyFrame) {
      switch (f.op) {
        case 'answer':
          reported = false;
          return void publication?.answer(f.sdp);
        case 'offer':
          return void subs.get(f.peer)?.offer(f.sdp);
        case 'absent':
          return subs.get(f.peer)?.later();
        case 'published':
          return subs.get(f.peer)?.request();
        case 'failed':
          if (f.peer) subs.get(f.peer)?.later();
          else publication?.failed();
          if (!reported) host.emit('error', new MeshError(f.code, f.message));
          reported = true;
      }
    },
    connectionOf: (id) => subs.get(id)?.connection ?? null,
    visible(tiles) {
      shown = tiles;
      for (const [id, s] of subs) show(id, s);
    },
    get connections() {
      return [publication?.connection, ...[...subs.values()].map((s) => s.connection)].filter((pc): pc is RTCPeerConnection => !!pc);
    },
    link: (id) => watch(id),
    unlink: (id) => unwatch(id),
    leave: stop,
    close: stop,
  };
}
