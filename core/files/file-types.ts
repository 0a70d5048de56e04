import type { TransferStatus } from '../room/feature-types.js';
import type { TransitionTable } from '../base/state-machine.js';

export { DEFAULT_FILE_OPTIONS, type FileOptions, type FileTransfer, type TransferStatus } from '../room/feature-types.js';

const ENDS = ['cancelled', 'interrupted'] as const;
export const TRANSFER_TRANSITIONS: TransitionTable<TransferStatus> = {
  offered: ['active', 'rejected', ...ENDS],
  // `done` from `active`: a sender resending what a receiver asked for twice may hear its verdict first.
  active: ['paused', 'verifying', 'done', 'failed', ...ENDS],
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
  /** A receiver missing a chunk asks for it again this often while it does not come, ms. */
  askAgainMs: 2000,
} as const;
