import type { Clock } from '../base/clock.js';
import { MeshError } from '../base/errors.js';
import type { MessageExchange } from '../delivery/message-exchange.js';
import type { IceServerFeed } from '../link/ice-servers.js';
import type { WelcomeFrame } from '../protocol.js';
import type { Admission, RelaySession } from './relay-session.js';
import type { RoomMembers } from './room-members.js';

/** The parts of the room kernel an admission by the relay updates. */
export interface AdmittedRoom {
  readonly roomId: string;
  readonly selfId: string;
  readonly clock: Clock;
  readonly members: RoomMembers;
  readonly delivery: MessageExchange;
  readonly ice: IceServerFeed;
  /** The member's own key (for TURN credentials). */
  readonly key: string;
  /** An HTTP URL on the relay we are connected to (`path` relative to its root), or null. */
  relayHttp(path: string): string | null;
}

/**
 * The relay's welcome (its replay follows): everyone's names, ICE servers with TURN credentials
 * that refresh themselves, and after a resume, what we are owed for the time we were away.
 */
export function welcomed(room: AdmittedRoom, relay: RelaySession, w: WelcomeFrame, how: Admission): void {
  room.members.names.set(room.selfId, w.self.name);
  const turnUrl = room.relayHttp(`turn-credentials?room=${encodeURIComponent(room.roomId)}&peer=${encodeURIComponent(room.selfId)}`);
  if (turnUrl) room.ice.fromWelcome(w.iceServers, w.iceTtlSeconds, turnUrl, room.key);
  for (const m of w.members) room.members.names.set(m.id, m.name);
  if (!how.fresh) {
    const since = relay.client.disconnectedAt ?? room.clock.now();
    room.delivery.connectionBack(Math.max(0, room.clock.now() - since), how.epochChanged);
    // Senders we never heard of joined while we were away: we are owed all their messages.
    for (const m of w.members) room.delivery.memberKnown(m.id, m.baseN, 0, false);
  }
}

/**
 * Caught up after a welcome: members reconciled with the relay's list (links made or dropped),
 * delivery told what each sender is owed, and every link told that signaling works again. A join
 * into a room fuller than this page allows (`maxPeers`) changes nothing and returns `room-full`.
 */
export function synced(room: AdmittedRoom, relay: RelaySession, w: WelcomeFrame, { fresh, epochChanged }: Admission, maxPeers?: number): MeshError | null {
  if (fresh && maxPeers !== undefined && w.members.length + 1 > maxPeers) {
    return new MeshError('room-full', `the room already has ${w.members.length} members; this page allows ${maxPeers}`);
  }
  room.members.reconcile(w.members, { fresh, resumed: w.resumed, epochChanged, graceMs: relay.graceMs });
  for (const m of w.members) room.delivery.memberKnown(m.id, m.baseN, m.lastN, fresh);
  room.delivery.synced();
  for (const [, link] of room.members.links()) link.signalingRestored();
  return null;
}
