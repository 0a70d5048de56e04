import type { FileOptions, RoomOptions } from '../../core/index.js';
import { mediaKinds } from './media-kinds.js';
import { relayUrl } from './relay-url.js';

/** What `<mesh-room>`'s attributes and properties say about the room to join. */
export interface RoomAttributes {
  relay: string;
  room: string;
  name: string;
  maxPeers: number;
  mode: 'auto' | 'mesh' | 'sfu';
  meshLimit: number | null;
  token: string;
  rtcConfig: RTCConfiguration | null;
  files: FileOptions | null;
  media: string;
}

/** The core `Room`'s options from `<mesh-room>`'s attributes (unset ones left to the core's defaults). */
export function roomOptions(a: RoomAttributes): RoomOptions {
  return {
    relay: relayUrl(a.relay),
    room: a.room,
    name: a.name,
    maxPeers: a.maxPeers,
    mode: a.mode,
    ...(a.meshLimit ? { meshLimit: a.meshLimit } : {}),
    ...(a.token ? { token: a.token } : {}),
    ...(a.rtcConfig ? { rtcConfig: a.rtcConfig } : {}),
    ...(a.files ? { files: a.files } : {}),
    media: mediaKinds(a.media),
  };
}
