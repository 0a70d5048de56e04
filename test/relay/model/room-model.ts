// The simple model of one relay room that the model-based test checks the real relay against:
// who is a member (online or in its grace period), the room's epoch and sequence, and every
// acknowledged message with the bounds the replay buffer keeps (count, bytes, age).
import { nameKey } from '../../../core/protocol.js';

/** The relay settings every model run uses (small, so that every bound is reached). */
export const MODEL_LIMITS = {
  maxMembers: 3,
  graceMs: 45_000,
  replay: { maxMessages: 4, maxBytes: 1500, maxAgeMs: 70_000 },
} as const;

/** Display names to pick from; some look alike on purpose. */
export const NAMES = ['Ada', 'ADA', '\u0410da', 'Bob', 'B\u043eb', 'Cy', 'Dee'] as const;

/** A browser tab as the model sees it: an identity, and whether its socket is up. */
export interface ModelClient {
  readonly id: number;
  readonly peerId: string;
  readonly key: string;
  readonly session: string;
  readonly name: string;
  /** True while its socket is open and joined. */
  open: boolean;
  /** The epoch and highest sequence it has seen (what it resumes from), if it ever joined. */
  epoch: string | null;
  lastSeq: number;
  /** Highest message number of its own the relay acknowledged. */
  lastN: number;
}

export interface ModelMember {
  readonly peerId: string;
  key: string;
  name: string;
  session: string;
  online: boolean;
  /** Client the member belongs to (its socket), when online. */
  clientId: number | null;
}

export interface ModelMessage { seq: number; from: string; n: number; bytes: number; at: number }

export type JoinExpectation =
  | { ok: false; code: 'key-mismatch' | 'name-taken' | 'room-full' }
  | { ok: true; resumed: boolean; replaced: string[]; newRoom: boolean };

export class RoomModel {
  readonly clients: ModelClient[] = [];
  readonly members = new Map<string, ModelMember>();
  /** The room's epoch while it exists (null: no room; the next join creates one). */
  epoch: string | null = null;
  readonly seenEpochs = new Set<string>();
  seq = 0;
  log: ModelMessage[] = [];
  /** Grace deadlines by peer id, on the relay's clock. */
  readonly deadlines = new Map<string, number>();
  /** Faults (restarts, freezes) so far in this run: each run has at most one. */
  faults = 0;

  /** What a join by `c` (with its resume position, when `resume`) must get. */
  expectJoin(c: Pick<ModelClient, 'peerId' | 'key' | 'session' | 'name'>): JoinExpectation {
    const me = this.members.get(c.peerId);
    if (me && me.key !== c.key) return { ok: false, code: 'key-mismatch' };
    const key = nameKey(c.name);
    const holders = [...this.members.values()].filter((m) => m.peerId !== c.peerId && nameKey(m.name) === key);
    if (holders.some((m) => m.online)) return { ok: false, code: 'name-taken' };
    if (!me && this.members.size - holders.length >= MODEL_LIMITS.maxMembers) return { ok: false, code: 'room-full' };
    return { ok: true, resumed: me !== undefined && me.session === c.session, replaced: holders.map((h) => h.peerId), newRoom: this.epoch === null };
  }

  /** Applies a successful join by `c` in epoch `epoch` (as the welcome said). */
  applyJoin(c: ModelClient, e: Extract<JoinExpectation, { ok: true }>, epoch: string): void {
    if (e.newRoom) {
      this.epoch = epoch;
      this.seenEpochs.add(epoch);
      this.seq = 0;
      this.log = [];
    }
    for (const id of e.replaced) this.removeMember(id, false);
    const me = this.members.get(c.peerId);
    if (me) Object.assign(me, { name: c.name, session: c.session, online: true, clientId: c.id });
    else this.members.set(c.peerId, { peerId: c.peerId, key: c.key, name: c.name, session: c.session, online: true, clientId: c.id });
    this.deadlines.delete(c.peerId);
    c.open = true;
    c.epoch = epoch;
    c.lastSeq = this.seq;
  }

  /** The client's socket is gone: its member (if it is the one) starts a grace period. */
  socketGone(c: ModelClient, now: number): void {
    c.open = false;
    const m = this.members.get(c.peerId);
    if (m && m.clientId === c.id && m.online) {
      m.online = false;
      m.clientId = null;
      this.deadlines.set(c.peerId, now + MODEL_LIMITS.graceMs);
    }
  }

  leave(c: ModelClient): void {
    c.open = false;
    this.removeMember(c.peerId, true);
  }

  /** Time moved to `now`: members whose grace ran out are gone. */
  expire(now: number): void {
    for (const [peer, due] of [...this.deadlines]) if (due <= now) this.removeMember(peer, true);
  }

  /** The relay lost every room (memory relay restart, Redis restart). */
  lostMemory(): void {
    for (const c of this.clients) c.open = false;
    this.members.clear();
    this.deadlines.clear();
    this.epoch = null;
    this.seq = 0;
    this.log = [];
  }

  publish(c: ModelClient, bytes: number, at: number): number {
    const seq = ++this.seq;
    c.lastN++;
    this.log.push({ seq, from: c.peerId, n: c.lastN, bytes, at });
    c.lastSeq = seq;
    for (const o of this.clients) if (o !== c && o.open && o.epoch === this.epoch) o.lastSeq = seq;
    return seq;
  }

  /** The replay buffer at `now`: the longest suffix of the log within count, bytes and age. */
  window(now: number): ModelMessage[] {
    const { maxMessages, maxBytes, maxAgeMs } = MODEL_LIMITS.replay;
    const out: ModelMessage[] = [];
    let bytes = 0;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const m = this.log[i];
      if (out.length + 1 > maxMessages || bytes + m.bytes > maxBytes || now - m.at > maxAgeMs) break;
      out.unshift(m);
      bytes += m.bytes;
    }
    return out;
  }

  onlineClients(): ModelClient[] {
    return this.clients.filter((c) => c.open);
  }

  private removeMember(peerId: string, dropIfEmpty: boolean): void {
    const m = this.members.get(peerId);
    if (!m) return;
    this.members.delete(peerId);
    this.deadlines.delete(peerId);
    if (m.clientId !== null) {
      const c = this.clients.find((x) => x.id === m.clientId);
      if (c) c.open = false;
    }
    if (dropIfEmpty && this.members.size === 0) {
      this.epoch = null;
      this.seq = 0;
      this.log = [];
    }
  }
}
