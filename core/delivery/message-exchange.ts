import { Timer, type Clock } from '../base/clock.js';
import type { ChannelFrame } from './channel-frames.js';
import type { DeliveryPorts } from './ports.js';
import { Inbox, type Arrival } from './inbox.js';
import { MeshError } from '../base/errors.js';
import { DEFAULT_OUTBOX_LIMITS, Outbox, type OutboxLimits } from './outbox.js';
import { PROTOCOL_LIMITS, type SignalData } from '../protocol.js';
import { dataBytes } from '../protocol/frame-validation.js';
import { DEFAULT_SENT_LOG_LIMITS, SentLog, type SentLogLimits } from './sent-log.js';
import { DEFAULT_PEER_FRAME_RATE, DEFAULT_PEER_REPAIR_RATE, type FrameRate } from './peer-frame-limit.js';
import { TypedEventTarget } from '../base/typed-event-target.js';

/** Delivery knobs of a room. */
export interface MessageTuning {
  outbox: OutboxLimits;
  sentLog: SentLogLimits;
  /** A gap open this long is asked of its sender, ms. Default 500. */
  repairDelayMs: number;
  /** Time between repair requests for the same sender, ms. Default 2000. */
  repairRetryMs: number;
  /** Unanswered repair requests before a gap is declared lost (once the relay has nothing more). Default 3. */
  repairAttempts: number;
  /** After a reconnect, how long catch-up may take before `reconnected` is reported anyway, ms. Default 3000. */
  catchUpMs: number;
  /** Delivered messages kept in `history`. Default 200. */
  historySize: number;
  /** Data-channel frames a peer may send us; beyond this they are dropped. Default 500/s, burst 2000. */
  peerFrames: FrameRate;
  /** Repair requests a peer may send us. Default 5/s, burst 20. */
  peerRepairs: FrameRate;
}

export const DEFAULT_MESSAGE_TUNING: MessageTuning = {
  outbox: DEFAULT_OUTBOX_LIMITS,
  sentLog: DEFAULT_SENT_LOG_LIMITS,
  repairDelayMs: 500,
  repairRetryMs: 2000,
  repairAttempts: 3,
  catchUpMs: 3000,
  historySize: 200,
  peerFrames: DEFAULT_PEER_FRAME_RATE,
  peerRepairs: DEFAULT_PEER_REPAIR_RATE,
};

/** How a message reached this peer. */
export type MessageVia = 'local' | 'p2p' | 'relay' | 'replay' | 'repair';

/** A room message as the application receives it: exactly once, in per-sender order. */
export interface RoomMessage {
  /** `"<peerId>:<n>"`, unique in the room. Empty for volatile messages. */
  id: string;
  from: string;
  /** Sender's display name (as last known). */
  name: string;
  n: number;
  data: unknown;
  /** Sender's clock when sent, ms since the Unix epoch. */
  sentAt: number;
  /** True for this peer's own messages. */
  self: boolean;
  /** False for best-effort messages sent with `{ durable: false }`. */
  durable: boolean;
  via: MessageVia;
}

/** What a reconnect cost, reported once catch-up is done. */
export interface ReconnectReport {
  /** How long the relay connection was down, ms. */
  disconnectedFor: number;
  /** Messages received as catch-up (replayed by the relay or resent by their senders). */
  missed: number;
  /** Messages known to exist that could not be recovered. */
  lost: number;
  /**
   * The relay had restarted and lost its buffer. Messages from members who left while we were
   * away cannot even be counted then; everything from members still here was recovered or is in `lost`.
   */
  relayRestarted: boolean;
}

export interface LostReport { from: string; name: string; count: number; fromN: number; toN: number }

export interface ExchangeEventMap {
  'message': CustomEvent<RoomMessage>;
  'acked': CustomEvent<{ id: string; n: number }>;
  'reconnected': CustomEvent<ReconnectReport>;
  'lost': CustomEvent<LostReport>;
}

/** Bytes of message data per repair reply (keeps relay frames well under their limit). */
const REPAIR_BATCH_BYTES = 40 * 1024;

/**
 * Exactly-once room messages for one peer. Sending: each durable message gets the next number
 * `n`, goes on every open data channel (fast path) and into the outbox for the relay (durable
 * path), and is kept in the sent log for repairs. Receiving: everything goes through the
 * {@link Inbox}; gaps that stay open are asked of their sender (over the data channel, or through
 * the relay), and what nobody can supply any more is reported as lost — never dropped silently.
 */
export class MessageExchange extends TypedEventTarget<ExchangeEventMap> {
  readonly tuning: MessageTuning;
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly history: RoomMessage[] = [];
  readonly #sentLog: SentLog;
  #lastN = 0;
  readonly #repairs = new Map<string, { attempts: number; lastAt: number }>();
  readonly #repairTimer: Timer;
  readonly #catchUpTimer: Timer;
  /**
   * The catch-up after a lost relay connection: from the moment it was lost until the relay has
   * replayed what it had and the gaps are closed.
   */
  #catchUp: { since: number; missed: number; lost: number; synced: boolean; disconnectedFor: number; relayRestarted: boolean } | null = null;
  /** Messages given up as lost since the start. */
  lostTotal = 0;

  readonly #ports: DeliveryPorts;
  readonly #clock: Clock;
  constructor(ports: DeliveryPorts, clock: Clock, tuning: Partial<MessageTuning> = {}) {
    super();
    this.#ports = ports;
    this.#clock = clock;
    this.tuning = { ...DEFAULT_MESSAGE_TUNING, ...tuning };
    this.outbox = new Outbox(this.tuning.outbox);
    this.#sentLog = new SentLog(this.tuning.sentLog);
    this.inbox = new Inbox(() => clock.now());
    this.#repairTimer = new Timer(clock);
    this.#catchUpTimer = new Timer(clock);
  }

  /** True while our message `id` (`<peerId>:<n>`) waits for the relay to store it. */
  isPending(id: string): boolean {
    const [from, n] = id.split(':');
    return from === this.#ports.selfId && this.outbox.has(Number(n));
  }

  /** The number of this peer's last durable message. */
  get sentCount(): number { return this.#lastN; }

  /**
   * Sends `data` to the room. Durable messages (default) are delivered exactly once to everyone,
   * through any failure; volatile ones only over open data channels. Throws `payload-too-large`
   * or `outbox-full` without sending anything.
   */
  send(data: unknown, durable = true): RoomMessage {
    const bytes = dataBytes(data);
    if (bytes < 0) throw new MeshError('invalid-field', 'message data must be JSON-serialisable');
    const limit = Math.min(PROTOCOL_LIMITS.messageBytes, this.#ports.relay.maxMessageBytes());
    if (bytes > limit) throw new MeshError('payload-too-large', `message data is ${bytes} bytes; the room allows ${limit}`);
    const sentAt = Date.now();
    const self = this.#ports.selfId;
    if (!durable) {
      this.#ports.direct.broadcast({ t: 'volatile', data, sentAt }, true);
      return { id: '', from: self, name: this.#ports.members.nameOf(self), n: 0, data, sentAt, self: true, durable: false, via: 'local' };
    }
    this.outbox.assertRoom(bytes);
    const n = ++this.#lastN;
    this.outbox.add(n, data, sentAt);
    this.#sentLog.add({ n, data, sentAt, bytes });
    this.#ports.direct.broadcast({ t: 'msg', n, data, sentAt }, false);
    this.#ports.relay.publish();
    const message: RoomMessage = { id: `${self}:${n}`, from: self, name: this.#ports.members.nameOf(self), n, data, sentAt, self: true, durable: true, via: 'local' };
    this.#record(message);
    return message;
  }

  /** Continues numbering after the highest `n` a relay acknowledged (a new membership of the same room object). */
  get ackedN(): number { return this.outbox.ackedN; }

  /** The relay stored our message `n` (a repeated acknowledgement changes nothing). */
  acked(n: number): void {
    if (this.outbox.ack(n)) this.emit('acked', { id: `${this.#ports.selfId}:${n}`, n });
  }

  /** The relay refused our message `n` for good (too large, invalid): it leaves the outbox. */
  rejected(n: number): void {
    this.outbox.ack(n);
  }

  /** A message frame from the relay (live, or replayed when `replay`). */
  fromRelay(from: string, n: number, data: unknown, sentAt: number, replay: boolean): void {
    if (from === this.#ports.selfId) return;
    this.#accept({ from, n, data, sentAt }, replay ? 'replay' : 'relay');
  }

  /** A frame from a peer's data channel. */
  fromChannel(from: string, frame: ChannelFrame): void {
    switch (frame.t) {
      case 'msg':
        this.#accept({ from, n: frame.n, data: frame.data, sentAt: frame.sentAt }, 'p2p');
        return;
      case 'volatile':
        this.emit('message', { id: '', from, name: this.#ports.members.nameOf(from), n: 0, data: frame.data, sentAt: frame.sentAt, self: false, durable: false, via: 'p2p' });
        return;
      case 'repair-request':
        this.#answerRepair(from, frame.fromN, frame.toN, 'direct');
        return;
      case 'repair-reply':
        this.#applyRepair(from, frame.messages, frame.missing);
        return;
    }
  }

  /** A repair exchange that came through the relay. */
  fromRelaySignal(from: string, data: SignalData & { kind: 'repair-request' | 'repair-reply' }): void {
    if (data.kind === 'repair-request') this.#answerRepair(from, data.fromN, data.toN, 'relay');
    else if (data.kind === 'repair-reply') this.#applyRepair(from, data.messages.map((m) => ({ n: m.n, data: m.data, sentAt: m.at })), data.missing);
  }

  /**
   * A member became known. On a first join, members present get `history` anchoring (whatever
   * the relay replays is history, nothing earlier is owed); later, members are owed everything
   * from their `baseN + 1`.
   */
  memberKnown(id: string, baseN: number, lastN: number, history: boolean): void {
    if (id === this.#ports.selfId) return;
    if (history) this.inbox.anchor(id, lastN + 1);
    else if (!this.inbox.knows(id)) this.inbox.anchor(id, baseN + 1);
    this.inbox.expect(id, lastN);
    this.#scheduleRepair();
    this.#maybeFinishCatchUp();
  }

  /** A member left: its open gaps can no longer be repaired (checked on the next repair pass). */
  memberGone(): void {
    this.#scheduleRepair();
    this.#maybeFinishCatchUp();
  }

  /** The relay connection was lost: what arrives late from now on counts as caught up. */
  connectionLost(): void {
    if (this.#catchUp) return;
    this.#catchUp = { since: this.#clock.now(), missed: 0, lost: 0, synced: false, disconnectedFor: 0, relayRestarted: false };
    this.#catchUpTimer.clear();
  }

  /** The relay admitted us again (its welcome); its replay follows. */
  connectionBack(disconnectedFor: number, relayRestarted: boolean): void {
    if (!this.#catchUp) this.connectionLost();
    Object.assign(this.#catchUp!, { disconnectedFor, relayRestarted });
  }

  /** The relay finished its catch-up; report once the gaps are closed (or after `catchUpMs`). */
  synced(): void {
    this.#scheduleRepair();
    const c = this.#catchUp;
    if (!c) return;
    c.synced = true;
    this.#catchUpTimer.set(this.tuning.catchUpMs, () => this.#finishCatchUp());
    this.#maybeFinishCatchUp();
  }

  close(): void {
    this.#repairTimer.clear();
    this.#catchUpTimer.clear();
    this.#catchUp = null;
  }

  // -------------------------------------------------------------------------------------------

  #accept(a: Arrival, via: MessageVia): void {
    const ready = this.inbox.receive({ ...a, via });
    if (ready.length > 0) this.#repairs.delete(a.from);
    this.#deliver(ready);
    this.#scheduleRepair();
    this.#maybeFinishCatchUp();
  }

  #deliver(list: Arrival[]): void {
    for (const a of list) {
      const via = (a.via ?? 'relay') as MessageVia;
      const c = this.#catchUp;
      // Late because we had no path to its sender: replayed, resent, or over a link that was down.
      if (c && (via === 'replay' || via === 'repair' || (via === 'p2p' && this.#ports.direct.wasDownSince(a.from, c.since)))) c.missed++;
      this.#record({ id: `${a.from}:${a.n}`, from: a.from, name: this.#ports.members.nameOf(a.from), n: a.n, data: a.data, sentAt: a.sentAt, self: false, durable: true, via });
    }
  }

  #record(message: RoomMessage): void {
    this.history.push(message);
    if (this.history.length > this.tuning.historySize) this.history.splice(0, this.history.length - this.tuning.historySize);
    this.emit('message', message);
  }

  #answerRepair(from: string, fromN: number, toN: number, path: 'direct' | 'relay'): void {
    const upTo = Math.min(toN, this.#lastN);
    const { messages, missing } = upTo >= fromN ? this.#sentLog.range(fromN, upTo) : { messages: [], missing: [] };
    if (toN > upTo) missing.push([Math.max(fromN, upTo + 1), toN]);
    // Batches small enough for a relay frame; the ranges given up go with the first batch.
    const batches: Array<typeof messages> = [[]];
    let size = 0;
    for (const m of messages) {
      if (size + m.bytes > REPAIR_BATCH_BYTES && batches[batches.length - 1].length > 0) {
        batches.push([]);
        size = 0;
      }
      batches[batches.length - 1].push(m);
      size += m.bytes;
    }
    batches.forEach((batch, i) => {
      const gone = i === 0 ? missing : [];
      const direct: ChannelFrame = { t: 'repair-reply', messages: batch.map((m) => ({ n: m.n, data: m.data, sentAt: m.sentAt })), missing: gone };
      if (path === 'direct' && this.#ports.direct.send(from, direct)) return;
      this.#ports.relay.signal(from, { kind: 'repair-reply', messages: batch.map((m) => ({ n: m.n, data: m.data, at: m.sentAt })), missing: gone });
    });
  }

  #applyRepair(from: string, messages: Array<{ n: number; data: unknown; sentAt: number }>, missing: Array<[number, number]>): void {
    for (const m of messages) this.#accept({ from, n: m.n, data: m.data, sentAt: m.sentAt }, 'repair');
    // Give up only ranges the inbox is actually stuck at.
    for (const [a, b] of [...missing].sort((x, y) => x[0] - y[0])) {
      const gap = this.inbox.gaps().find((g) => g.from === from);
      if (gap && gap.fromN >= a && gap.fromN <= b) this.#giveUp(from, b);
    }
  }

  #giveUp(from: string, toN: number): void {
    const before = this.inbox.gaps().find((g) => g.from === from);
    const { lost, delivered } = this.inbox.skip(from, toN);
    this.#repairs.delete(from);
    if (lost > 0) {
      this.lostTotal += lost;
      if (this.#catchUp) this.#catchUp.lost += lost;
      this.emit('lost', { from, name: this.#ports.members.nameOf(from), count: lost, fromN: before?.fromN ?? toN - lost + 1, toN });
    }
    this.#deliver(delivered);
    this.#maybeFinishCatchUp();
  }

  /** Runs a repair pass now or when the oldest gap is due. */
  #scheduleRepair(): void {
    const gaps = this.inbox.gaps();
    if (gaps.length === 0) {
      this.#repairTimer.clear();
      return;
    }
    if (this.#repairTimer.pending) return;
    const now = this.#clock.now();
    const due = Math.min(...gaps.map((g) => {
      const r = this.#repairs.get(g.from);
      return Math.max(g.since + this.tuning.repairDelayMs, r ? r.lastAt + this.tuning.repairRetryMs : 0);
    }));
    this.#repairTimer.set(Math.max(0, due - now), () => this.#repairPass());
  }

  #repairPass(): void {
    const now = this.#clock.now();
    const synced = this.#ports.relay.synced();
    for (const gap of this.inbox.gaps()) {
      if (now - gap.since < this.tuning.repairDelayMs) continue;
      const r = this.#repairs.get(gap.from) ?? { attempts: 0, lastAt: -Infinity };
      // The relay has replayed all it had; a sender that is gone or silent cannot fill the gap.
      if (synced && (!this.#ports.members.has(gap.from) || r.attempts >= this.tuning.repairAttempts)) {
        this.#giveUp(gap.from, gap.toN);
        continue;
      }
      if (now - r.lastAt < this.tuning.repairRetryMs || !this.#ports.members.has(gap.from)) continue;
      r.attempts++;
      r.lastAt = now;
      this.#repairs.set(gap.from, r);
      const direct = this.#ports.direct.send(gap.from, { t: 'repair-request', fromN: gap.fromN, toN: gap.toN });
      if (!direct) this.#ports.relay.signal(gap.from, { kind: 'repair-request', fromN: gap.fromN, toN: gap.toN });
    }
    this.#scheduleRepair();
  }

  #maybeFinishCatchUp(): void {
    if (this.#catchUp?.synced && this.inbox.gaps().length === 0 && !this.#ports.members.awaiting) this.#finishCatchUp();
  }

  #finishCatchUp(): void {
    const c = this.#catchUp;
    if (!c) return;
    this.#catchUp = null;
    this.#catchUpTimer.clear();
    this.emit('reconnected', { disconnectedFor: c.disconnectedFor, missed: c.missed, lost: c.lost, relayRestarted: c.relayRestarted });
  }
}
