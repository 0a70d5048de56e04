import type { JoinFrame, PublishFrame, ServerFrame, SignalFrame } from '../core/protocol.js';
import type { BackendContext, MemberSocket, Membership, QualityReport, RoomBackend, RoomView } from './contracts.js';
import { RelayRoom, type RelayMember } from './relay-room.js';
import { RoomError } from './room-error.js';
import { ReplayBudget } from './replay-budget.js';
import { keyMatches } from './member-key.js';

interface MemoryMembership extends Membership { room: RelayRoom; member: RelayMember }

/**
 * The zero-setup backend: every room in this process (see {@link RelayRoom}). Room operations
 * are synchronous, so there is nothing to lock: each runs to its end before the next starts.
 */
export class MemoryBackend implements RoomBackend {
  readonly healthy = true;
  private readonly rooms = new Map<string, RelayRoom>();
  /** Replay bytes across every room (bounded by `maxBufferBytes`). */
  readonly budget: ReplayBudget;

  constructor(private readonly ctx: BackendContext) {
    this.budget = new ReplayBudget(ctx.options.maxBufferBytes);
  }

  /** The room object (tests and diagnostics). */
  getRoom(id: string): RelayRoom | undefined { return this.rooms.get(id); }

  async join(socket: MemberSocket, frame: JoinFrame): Promise<Membership> {
    let room = this.rooms.get(frame.room);
    const created = !room;
    if (!room) {
      if (this.rooms.size >= this.ctx.options.maxRooms) throw new RoomError('too-many-rooms', 'the relay has reached its room limit');
      room = new RelayRoom(frame.room, this.ctx, this.budget, (r) => this.drop(r));
      this.rooms.set(room.id, room);
    }
    try {
      const { member } = room.join(socket, frame);
      const m: MemoryMembership = { roomId: room.id, peerId: member.id, room, member };
      return m;
    } catch (err) {
      if (created && room.isEmpty) this.drop(room);
      throw err;
    }
  }

  async leave(m: Membership, _socket: MemberSocket, session: string): Promise<void> {
    const { room, member } = m as MemoryMembership;
    room.leave(member, session);
  }

  async socketClosed(m: Membership, socket: MemberSocket): Promise<void> {
    const { room, member } = m as MemoryMembership;
    room.socketClosed(member, socket);
  }

  async publish(m: Membership, _socket: MemberSocket, f: PublishFrame): Promise<void> {
    const { room, member } = m as MemoryMembership;
    room.publish(member, f);
  }

  async signal(m: Membership, _socket: MemberSocket, f: SignalFrame): Promise<void> {
    const { room, member } = m as MemoryMembership;
    room.signal(member, f);
  }

  async announce(roomId: string, frame: ServerFrame, except: string): Promise<void> {
    this.rooms.get(roomId)?.broadcast(frame, except);
  }

  isCurrent(m: Membership, socket: MemberSocket): boolean {
    const { room, member } = m as MemoryMembership;
    return member.socket === socket && room.members.get(member.id) === member;
  }

  async view(roomId: string): Promise<RoomView | null> {
    const room = this.rooms.get(roomId);
    if (!room) return null;
    const now = this.ctx.clock.now();
    room.buffer.trim(now);
    return {
      room: room.id,
      epoch: room.epoch,
      lastSeq: room.seq,
      buffer: { messages: room.buffer.size, bytes: room.buffer.bytes, firstSeq: room.buffer.firstSeq },
      members: [...room.members.values()].map((x) => ({
        id: x.id, name: x.name, online: x.socket !== null, lastN: x.lastN,
        disconnectedForMs: x.disconnectedAt === null ? null : now - x.disconnectedAt,
        quality: x.quality,
      })),
    };
  }

  async checkMemberKey(roomId: string, peerId: string, key: string): Promise<boolean> {
    const member = this.rooms.get(roomId)?.members.get(peerId);
    return member !== undefined && keyMatches(member.keyDigest, key);
  }

  async setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void> {
    const member = this.rooms.get(roomId)?.members.get(peerId);
    if (member) member.quality = report;
  }

  stats() {
    let members = 0;
    for (const r of this.rooms.values()) members += r.members.size;
    return { rooms: this.rooms.size, members, bufferBytes: this.budget.bytes };
  }

  async close(): Promise<void> {
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }

  private drop(room: RelayRoom): void {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    room.close();
  }
}
