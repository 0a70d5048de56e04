import type { MessageExchange } from '../delivery/message-exchange.js';
import type { ServerFrame } from '../protocol.js';
import type { RoomMembers } from './room-members.js';

/** Where a room's relay frames go. */
export interface FrameRoutes {
  readonly selfId: string;
  /** Our relay session id (signals for an older one are stale). */
  readonly session: string;
  readonly members: RoomMembers;
  readonly delivery: MessageExchange;
  /** The frame is part of the catch-up after a welcome. */
  readonly replaying: boolean;
}

/** Routes a relay frame: messages to delivery, membership to the members, signals to their link (repairs to delivery). */
export function routeRelayFrame(f: ServerFrame, to: FrameRoutes): void {
  const { members, delivery } = to;
  switch (f.type) {
    case 'message':
      if (!members.names.has(f.from)) members.names.set(f.from, f.name);
      delivery.fromRelay(f.from, f.n, f.data, f.sentAt, to.replaying);
      return;
    case 'peer-joined':
      if (f.member.id === to.selfId) return;
      members.upsert(f.member, { initiate: false, rebuild: false });
      delivery.memberKnown(f.member.id, f.member.baseN, f.member.lastN, false);
      return;
    case 'peer-left':
      if (members.session(f.id) === f.session) members.remove(f.id, f.reason);
      return;
    case 'peer-status':
      members.setOnline(f.id, f.online);
      return;
    case 'signal': {
      // Signals for an older session of ours, or from an older session of theirs, are stale.
      if (f.toSession !== to.session || members.session(f.from) !== f.fromSession) return;
      const data = f.data;
      if (data.kind === 'repair-request' || data.kind === 'repair-reply') delivery.fromRelaySignal(f.from, data);
      else members.link(f.from)?.handleSignal(data);
      return;
    }
    default:
  }
}
