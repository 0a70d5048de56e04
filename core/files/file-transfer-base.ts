import type { Clock } from '../base/clock.js';
import type { MeshError } from '../base/errors.js';
import { FILE_FLOW, FINAL_STATUSES, TRANSFER_TRANSITIONS, type FileTransfer, type TransferStatus } from './file-types.js';
import { StateMachine } from '../base/state-machine.js';

/** What a transfer needs from its owner. */
export interface TransferHost {
  readonly clock: Clock;
  /** The open file channel to `peer`, or null while the link heals. */
  channel(peer: string): RTCDataChannel | null;
  /** A transfer changed (state or progress). */
  changed(t: FileTransfer): void;
}

/** State, progress and speed common to both directions. */
export abstract class TransferBase {
  protected readonly machine: StateMachine<TransferStatus>;
  bytes = 0;
  error: MeshError | null = null;
  #rateFrom = { t: 0, bytes: 0 };
  #lastEmit = -Infinity;
  #lastEmitBytes = 0;

  constructor(
    readonly id: string,
    readonly direction: 'in' | 'out',
    readonly peer: string,
    readonly meta: { name: string; size: number; type: string },
    protected readonly host: TransferHost,
  ) {
    this.machine = new StateMachine<TransferStatus>('offered', TRANSFER_TRANSITIONS, (_from, to) => {
      if (to === 'active') this.#rateFrom = { t: host.clock.now(), bytes: this.bytes };
      this.#lastEmit = host.clock.now();
      host.changed(this.snapshot());
    }, `FileTransfer(${id.slice(0, 6)})`);
  }

  get status(): TransferStatus { return this.machine.state; }
  get final(): boolean { return FINAL_STATUSES.has(this.machine.state); }

  /** Moves to `status` unless the transfer already ended; `error` says why it ended. */
  protected to(status: TransferStatus, reason: string, error?: MeshError): void {
    if (this.final) return;
    if (error) this.error = error;
    this.machine.to(status, reason);
  }

  /**
   * Records progress; emits every `progressEveryMs`, at every further tenth of the file (so a
   * fast transfer still shows steps), and at the end.
   */
  protected progress(bytes: number): void {
    this.bytes = bytes;
    const now = this.host.clock.now();
    const step = bytes - this.#lastEmitBytes >= this.meta.size / 10;
    if (now - this.#lastEmit < FILE_FLOW.progressEveryMs && !step && bytes < this.meta.size) return;
    this.#lastEmit = now;
    this.#lastEmitBytes = bytes;
    this.host.changed(this.snapshot());
  }

  protected channel(): RTCDataChannel | null {
    return this.host.channel(this.peer);
  }

  protected sendControl(frame: Record<string, unknown>): boolean {
    const ch = this.channel();
    if (!ch) return false;
    try {
      ch.send(JSON.stringify({ ...frame, id: this.id }));
      return true;
    } catch {
      return false; // closing: the frame is sent again when the channel reopens
    }
  }

  snapshot(): FileTransfer {
    const elapsed = (this.host.clock.now() - this.#rateFrom.t) / 1000;
    const moving = this.status === 'active' && elapsed > 0 && this.bytes > this.#rateFrom.bytes;
    const rate = moving ? (this.bytes - this.#rateFrom.bytes) / elapsed : null;
    return {
      id: this.id,
      direction: this.direction,
      peer: this.peer,
      ...this.meta,
      status: this.status,
      bytes: this.bytes,
      bytesPerSecond: rate,
      secondsLeft: rate ? Math.max(0, (this.meta.size - this.bytes) / rate) : null,
      error: this.error,
    };
  }
}
