/**
 * The files feature's door: a room installs it the first time a file is offered or arrives
 * (a separate chunk in the built package).
 *
 * @packageDocumentation
 */
import type { FeatureHost, FilesFeature } from '../room/feature.js';
import { FileTransfers } from './file-transfers.js';

/** Installs file transfers into a room. */
export function installFiles(host: FeatureHost): FilesFeature {
  return new FileTransfers(host, host.options.files);
}

export { FileTransfers } from './file-transfers.js';
export { TRANSFER_TRANSITIONS, FINAL_STATUSES, FILE_FLOW } from './file-types.js';
export type { FileTransfer, FileOptions, TransferStatus } from '../room/feature-types.js';
