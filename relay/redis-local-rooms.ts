import type { ServerFrame } from '../core/protocol.js';
import { CLOSE_CODES } from '../core/protocol.js';
import type { MemberSocket } from './contracts.js';

/** What the Redis scripts publish on a room's channel. */
export interface RoomEvent {
  ev?: number;
  t: 'frame';
  except?: string | false;
  only?: string;
  onlySession?: string;
  frame: ServerFrame;
  kick?: string | false;
  kickPeer?: string;
  /** The frame serialised (and encoded) once for all local members. */
  json?: string;
  bytes?: Buffer;
}

/** A member with a socket on this node (or joining through it). */
export interface LocalMember {
  peerId: string;
  session: string;
  /** Display name (it changes only with a new join, hence a new record). */
  name: string;
  conn: string;
  socket: MemberSocket;
  /** Events up to this number are already in the member's welcome. */
  floor: number;
  /** Events held while the member's join is in flight (null once live), and their size. */
  held: RoomEvent[] | null;
  heldBytes: number;
  /** More was held than one socket may queue: the member resumes once joined. */
  overflow: boolean;
}

/** The sockets this node has in one room, and the joins under way for it. */
export interface LocalRoom {
  id: string;
  members: Map<string, LocalMember>;
  /** Joins whose script has not answered yet, by conn: they get events meanwhile (held). */
  joining: Map<string, LocalMember>;
  subscription: Promise<unknown> | null;
}

/**
 * Applies one event from a room's channel to this node's sockets: closes a socket the event
 * replaced, then hands the frame to every local member it is for (held while that member joins).
 */
export function applyEvent(room: LocalRoom, ev: RoomEvent, maxHeldBytes: number, onMessageOut: () => void): void {
  if (ev.kick && ev.kickPeer !== undefined) {
    // The member resumed elsewhere (or here, on a newer socket): close the old socket.
    const old = room.members.get(ev.kickPeer);
    if (old && old.conn === ev.kick) {
      room.members.delete(ev.kickPeer);
      old.socket.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
  } else if (ev.kick && ev.frame.type === 'peer-left') {
    const gone = room.members.get(ev.frame.id);
    if (gone && gone.conn === ev.kick) {
      room.members.delete(ev.frame.id);
      gone.socket.close(CLOSE_CODES.replaced, 'replaced');
    }
  }
  const targets = room.joining.size > 0 ? [...room.members.values(), ...room.joining.values()] : room.members.values();
  for (const member of targets) {
    if (ev.except === member.peerId) continue;
    if (ev.only !== undefined && (ev.only !== member.peerId || ev.onlySession !== member.session)) continue;
    deliver(member, ev, maxHeldBytes, onMessageOut);
  }
}

/** Sends an event's frame to one member, or holds it while the member's join is in flight. */
export function deliver(member: LocalMember, ev: RoomEvent, maxHeldBytes: number, onMessageOut: () => void): void {
  const json = (ev.json ??= JSON.stringify(ev.frame));
  if (member.held) {
    if (member.overflow) return;
    member.heldBytes += json.length;
    if (member.heldBytes > maxHeldBytes) {
      member.overflow = true;
      member.held = [];
      return;
    }
    member.held.push(ev);
    return;
  }
  if (ev.ev !== undefined && ev.ev <= member.floor) return; // already part of its welcome
  member.socket.send((ev.bytes ??= Buffer.from(json)));
  if (ev.frame.type === 'message') onMessageOut();
}
