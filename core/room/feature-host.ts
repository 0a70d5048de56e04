import type { Clock } from '../base/clock.js';
import type { IceServerFeed } from '../link/ice-servers.js';
import type { FeatureHost } from './feature.js';
import type { FeatureSlots } from './feature-slots.js';
import type { PeerStates } from './peer-state.js';
import type { RelaySession } from './relay-session.js';
import type { RoomMembers } from './room-members.js';
import type { RoomOptions } from './room-types.js';
import type { Topology } from './topology.js';

/** The parts of a room its features reach through their host. */
export interface HostedRoom {
  readonly selfId: string;
  readonly clock: Clock;
  readonly options: RoomOptions;
  readonly members: RoomMembers;
  readonly peers: PeerStates;
  readonly ice: IceServerFeed;
  readonly topology: Topology;
  name(): string;
  features(): FeatureSlots;
  relay(): RelaySession | null;
  inRoom(): boolean;
  peerChanged(id: string): void;
  emit: FeatureHost['emit'];
}

/** What a feature gets from the room it is installed into (see {@link FeatureHost}). */
export function featureHost(r: HostedRoom): FeatureHost {
  return {
    selfId: r.selfId,
    get selfName() { return r.name(); },
    clock: r.clock,
    options: r.options,
    links: () => r.members.links(),
    peers: () => r.members.peers(),
    inRoom: () => r.inRoom(),
    localMedia: () => r.features().get('media')?.local ?? null,
    rtcConfig: () => r.ice.config(),
    transport: () => r.topology.transport,
    sfu: (f) => !!r.relay()?.sfu(f),
    remoteStream: (id, stream) => {
      if (r.peers.set(id, { stream })) r.peerChanged(id);
    },
    announce: (patch) => r.peers.announce(patch, r.members.links()),
    stall: (id, stall) => {
      const m = r.peers.of(id).metrics;
      if (r.peers.set(id, { stall, metrics: m && { ...m, stalled: stall?.kinds ?? [] } })) r.peerChanged(id);
    },
    health: (id, quality, metrics) => {
      if (r.peers.set(id, { quality, metrics: { ...metrics, stalled: r.peers.of(id).stall?.kinds ?? [] } })) r.peerChanged(id);
    },
    emit: r.emit,
  };
}
