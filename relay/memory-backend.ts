import type { JoinFrame, SignalFrame } from '../core/protocol.js';
import type { Logger } from './logger.js';
import type { MessageStore } from './message-store.js';
import type { QualityReport } from './quality-route.js';
import type { RelayMetrics } from './relay-metrics.js';
import type { RelayOptions } from './relay-options.js';
import { RelayRoom, RoomError, type MemberSocket, type RelayMember } from './relay-room.js';
import type { Membership, RoomBackend, RoomView } from './room-backend.js';
import type { IceServer } from './turn-credentials.js';

interface MemoryMembership extends Membership { room: RelayRoom; member: RelayMember }

/** The zero-setup backend: every room in this process (see {@link RelayRoom}). */
export class MemoryBackend implements RoomBackend {
  readonly healthy = true;
  private readonly rooms = new Map<string, RelayRoom>();

  constructor(private readonly ctx: {
    options: RelayOptions; store: MessageStore; log: Logger; metrics: RelayMetrics;
    iceServers(peerId: string): { iceServers: IceServer[]; ttlSeconds: number | null };
  }) {}

  /** The room object (tests and diagnostics). */
  getRoom(id: string): RelayRoom | undefined { return this.rooms.get(id); }

  async join(socket: MemberSocket, frame: JoinFrame): Promise<Membership> {
    // A room can empty and be dropped while this join waits its turn: retry on the new room.
    for (;;) {
      let room = this.rooms.get(frame.room);
      if (!room) {
        if (this.rooms.size >= this.ctx.options.maxRooms) throw new RoomError('too-many-rooms', 'the relay has reached its room limit');
        room = new RelayRoom(frame.room, {
          ...this.ctx,
          onEmpty: (r) => {
            if (this.rooms.get(r.id) === r) this.rooms.delete(r.id);
            r.close();
          },
        });
        this.rooms.set(room.id, room);
      }
      const target = room;
      const outcome = await target.run(async () => (this.rooms.get(target.id) === target ? target.join(socket, frame) : null));
      if (outcome) {
        const m: MemoryMembership = { roomId: target.id, peerId: outcome.member.id, room: target, member: outcome.member };
        return m;
      }
    }
  }

  async leave(m: Membership, _socket: MemberSocket, session: string): Promise<void> {
    const { room, member } = m as MemoryMembership;
    await room.run(() => room.leave(member, session));
  }

  async socketClosed(m: Membership, socket: MemberSocket): Promise<void> {
    const { room, member } = m as MemoryMembership;
    await room.run(() => room.socketClosed(member, socket));
  }

  async publish(m: Membership, _socket: MemberSocket, n: number, data: unknown, sentAt: number, dataJson?: string): Promise<void> {
    const { room, member } = m as MemoryMembership;
    await room.run(() => room.publish(member, n, data, sentAt, dataJson));
  }

  async signal(m: Membership, _socket: MemberSocket, f: SignalFrame): Promise<void> {
    const { room, member } = m as MemoryMembership;
    room.signal(member, f);
  }

  isCurrent(m: Membership, socket: MemberSocket): boolean {
    return (m as MemoryMembership).member.socket === socket;
  }

  async view(roomId: string): Promise<RoomView | null> {
    const room = this.rooms.get(roomId);
    if (!room) return null;
    const now = Date.now();
    const slice = await this.ctx.store.since(room.id, 0, now);
    return {
      room: room.id,
      epoch: room.epoch,
      lastSeq: room.seq,
      buffer: { messages: slice.messages.length, bytes: slice.messages.reduce((s, x) => s + x.bytes, 0), firstSeq: slice.firstSeq },
      members: [...room.members.values()].map((x) => ({
        id: x.id, name: x.name, online: x.socket !== null, lastN: x.lastN,
        disconnectedForMs: x.disconnectedAt === null ? null : now - x.disconnectedAt,
        quality: x.quality,
      })),
    };
  }

  async memberKey(roomId: string, peerId: string): Promise<string | null> {
    return this.rooms.get(roomId)?.members.get(peerId)?.key ?? null;
  }

  async setQuality(roomId: string, peerId: string, report: QualityReport): Promise<void> {
    const member = this.rooms.get(roomId)?.members.get(peerId);
    if (member) member.quality = report;
  }

  stats() {
    let members = 0;
    for (const r of this.rooms.values()) members += r.members.size;
    return { rooms: this.rooms.size, members, bufferBytes: this.ctx.store.totalBytes() };
  }

  async close(): Promise<void> {
    // Let operations already under way finish (drain), then forget the rooms.
    await Promise.all([...this.rooms.values()].map((room) => room.run(() => undefined)));
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
    await this.ctx.store.close();
  }
}
