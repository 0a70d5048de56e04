import type { MeshError } from '../base/errors.js';
import type { TransitionTable } from '../base/state-machine.js';

/**
 * One transfer: a file on its way to one receiver (`out`) or from its sender (`in`).
 *
 * `offered` → `active` ⇄ `paused` → `verifying` → `done`; or `rejected`, `cancelled`, `failed`
 * (digest mismatch) and `interrupted` (the other side left the room). `paused` means the
 * connection is healing: the transfer continues from the last chunk the receiver holds.
 */
export type TransferStatus = 'offered' | 'active' | 'paused' | 'verifying' | 'done' | 'rejected' | 'cancelled' | 'failed' | 'interrupted';

const ENDS = ['cancelled', 'interrupted'] as const;
export const TRANSFER_TRANSITIONS: TransitionTable<TransferStatus> = {
  offered: ['active', 'rejected', ...ENDS],
  active: ['paused', 'verifying', 'failed', ...ENDS],
  paused: ['active', 'verifying', 'done', 'failed', ...ENDS],
  // The sender waits in `verifying` for the receiver's verdict, and resumes if chunks went missing.
  verifying: ['done', 'failed', 'active', 'paused', ...ENDS],
  done: [],
  rejected: [],
  cancelled: [],
  failed: [],
  interrupted: [],
};

/** States a transfer never leaves. */
export const FINAL_STATUSES: ReadonlySet<TransferStatus> = new Set(['done', 'rejected', 'cancelled', 'failed', 'interrupted']);

/** What the application sees of a transfer (a snapshot; a new one comes with every change). */
export interface FileTransfer {
  /** The file's id; the same for every receiver of one offer. */
  id: string;
  direction: 'in' | 'out';
  /** The other side: the sender of an incoming file, the receiver of an outgoing one. */
  peer: string;
  name: string;
  size: number;
  /** MIME type as the sender's browser reported it (may be empty). */
  type: string;
  status: TransferStatus;
  /** Bytes the receiver holds and has hashed. */
  bytes: number;
  /** Recent speed, bytes per second (null before there is one). */
  bytesPerSecond: number | null;
  /** Estimated seconds left (null when unknown). */
  secondsLeft: number | null;
  /** Why the transfer ended, for `rejected`, `cancelled`, `failed` and `interrupted`. */
  error: MeshError | null;
}

/** File-transfer knobs of a room. */
export interface FileOptions {
  /** Largest file this member sends or accepts, bytes. Default 2 GiB. */
  maxFileBytes?: number;
  /** Incoming files up to this size are accepted without asking, bytes. Default 1 MiB. */
  autoAcceptBytes?: number;
  /**
   * Chunk size, bytes (1 KiB–128 KiB; less when a receiver's SCTP takes smaller messages).
   * Default 128 KiB: on Chromium, 50 MB move ~1.6× faster than with 64 KiB (`bench/files.mjs`).
   */
  chunkBytes?: number;
}

export const DEFAULT_FILE_OPTIONS: Required<FileOptions> = {
  maxFileBytes: 2 * 1024 ** 3,
  autoAcceptBytes: 1024 ** 2,
  chunkBytes: 128 * 1024,
};

/**
 * Flow control. The sender keeps at most `windowChunks` chunks beyond what the receiver has
 * acknowledged (so the receiver never holds more than that in memory), and waits for the
 * channel's `bufferedamountlow` whenever `bufferedAmount` passes `highWaterBytes`.
 */
export const FILE_FLOW = {
  windowChunks: 32,
  ackEveryChunks: 8,
  highWaterBytes: 2 * 1024 * 1024,
  lowWaterBytes: 512 * 1024,
  /** Progress-only updates are emitted at most this often per transfer, ms. */
  progressEveryMs: 200,
} as const;
