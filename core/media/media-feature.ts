import type { MeshError } from '../base/errors.js';
import type { FeatureHost, MediaFeature } from '../room/feature.js';
import { AdaptiveBitrate } from './adaptive-bitrate.js';
import { LinkMedia } from './link-media.js';
import { LocalMedia } from './local-media.js';
import { repairKinds, watchStalls } from './stall-watch.js';

/**
 * The media feature: our microphone and camera ({@link LocalMedia}), started on each join and
 * put on every connection ({@link LinkMedia}); what we send told to the peers; and an
 * {@link AdaptiveBitrate} per peer driven by the room's link health; and a stall watch per peer
 * over what it sends us ({@link watchStalls}), which restarts our own sending when a peer asks.
 * Remote streams and link health are the kernel's; a member that sends nothing loads this with
 * its first remote track (for the stall watch), a chat-only member never.
 */
export function installMedia(host: FeatureHost): MediaFeature {
  const bitrates = new Map<string, AdaptiveBitrate>();
  const bitrate = (id: string) => {
    let b = bitrates.get(id);
    if (!b) bitrates.set(id, (b = new AdaptiveBitrate({ clock: host.clock })));
    return b;
  };
  let local: LocalMedia | null = null;
  /** Our sending side per connection, and per member the end of its stall watch. */
  const sending = new WeakMap<RTCPeerConnection, LinkMedia>();
  const watches = new Map<string, () => void>();
  const unwatch = (id: string) => {
    watches.get(id)?.();
    watches.delete(id);
  };
  const onChange = () => {
    const state = local?.state;
    if (!state) return;
    host.emit('local-media', state);
    // Peers are told once the tracks on the connections have changed, not before.
    void Promise.all(host.links().map(([, link]) => link.syncMedia())).then(() => host.announce(local?.state ?? state));
  };
  const stop = () => {
    for (const id of [...watches.keys()]) unwatch(id);
    local?.removeEventListener('change', onChange);
    local?.close();
    local = null;
    host.announce({ audio: false, video: false, screen: false });
  };
  return {
    get local() { return local; },
    async start() {
      const kinds = host.options.media;
      if (local || !kinds) return;
      const candidate = new LocalMedia(kinds, host.options.mediaDevices);
      try {
        await candidate.start();
      } catch (err) {
        candidate.close();
        host.emit('error', err as MeshError);
        return;
      }
      local = candidate;
      local.addEventListener('change', onChange);
      host.announce(local.state);
    },
    tracks: (pc) => {
      const m = new LinkMedia(pc, local);
      sending.set(pc, m);
      return m;
    },
    link(id, link) {
      // In SFU mode the link carries no media: nothing to watch or repair on it.
      if (host.transport() === 'sfu') return;
      unwatch(id);
      watches.set(id, watchStalls(host, id, link));
      // A peer asks us to restart what we send it (at most once a second: it is another person's browser).
      let askedAt = -Infinity;
      link.addEventListener('message', (e) => {
        const kinds = repairKinds(e.detail);
        const pc = link.connection;
        if (!kinds || !pc || host.clock.now() - askedAt < 1000) return;
        askedAt = host.clock.now();
        void sending.get(pc)?.restart(kinds);
      });
      link.addEventListener('state-change', (e) => {
        const b = bitrates.get(id);
        if (e.detail.to === 'connected' && b && b.step > 0 && link.videoSender) void b.apply(link.videoSender);
      });
    },
    unlink: (id) => {
      bitrates.delete(id);
      unwatch(id);
    },
    transport() {
      for (const id of [...watches.keys()]) unwatch(id);
      for (const [, link] of host.links()) {
        const pc = link.connection;
        if (pc) void sending.get(pc)?.stop();
      }
    },
    health(id, quality, link) {
      if (host.options.adaptiveBitrate !== false && link.videoSender) void bitrate(id).update(quality, link.videoSender);
    },
    leave: stop,
    close: stop,
  };
}
