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
  return name;
}
