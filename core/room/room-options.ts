import { MeshError } from '../base/errors.js';
import { isValidRoomId, normalizeName } from '../protocol.js';
import type { RoomOptions } from './room-types.js';

/** Checks what a `Room` cannot work without; returns the normalised name, or throws a `MeshError`. */
export function checkRoomOptions(options: RoomOptions): string {
  if (!isValidRoomId(options.room)) throw new MeshError('invalid-room', `room id "${options.room}" must be 1–64 characters of [A-Za-z0-9_.-]`);
  const name = normalizeName(options.name);
  if (name === null) throw new MeshError('invalid-name', 'the name must be 1–64 printable characters');
  const urls = Array.isArray(options.relay) ? options.relay : [options.relay];
  if (urls.length === 0 || urls.some((u) => !/^wss?:\/\//.test(u))) {
    throw new MeshError('invalid-option', `relay must be a ws:// or wss:// URL, got ${JSON.stringify(options.relay)}`);
  }
  const chunk = options.files?.chunkBytes;
  // A chunk travels with a header of up to 69 bytes; Chromium's messages stop at 256 KiB.
  if (chunk !== undefined && !(chunk >= 1024 && chunk <= 128 * 1024)) throw new MeshError('invalid-option', 'files.chunkBytes must be 1024–131072');
  if (options.mode !== undefined && !['auto', 'mesh', 'sfu'].includes(options.mode)) throw new MeshError('invalid-option', `mode must be auto, mesh or sfu, got ${JSON.stringify(options.mode)}`);
  if (options.meshLimit !== undefined && !(Number.isInteger(options.meshLimit) && options.meshLimit >= 1)) throw new MeshError('invalid-option', `meshLimit must be a whole number of members, at least 1, got ${options.meshLimit}`);
  return name;
}

/** True when the room is to send audio or video (the media feature is then loaded on join). */
export function wantsMedia(options: RoomOptions): boolean {
  return !!options.media && (options.media.audio || options.media.video);
}
