import type { FileTransfer, PeerInfo, RecordingOptions, Room, RoomMessage, RoomState } from '../../core/index.js';

/** Fired on `document` by every `<mesh-room>` that connects, so late-bound children can find it. */
export const ROOM_CONNECTED = 'mesh-room-connected';

/**
 * What the other elements use of `<mesh-room>`: its public API, as a contract (the element
 * implements it), so they need not import the element and no import cycle forms.
 */
export interface MeshRoomApi extends HTMLElement {
  readonly state: RoomState;
  readonly peers: PeerInfo[];
  readonly selfId: string | null;
  /** The core `Room` (null before joining). */
  readonly core: Room | null;
  readonly history: readonly RoomMessage[];
  readonly transfers: FileTransfer[];
  readonly recording: boolean;
  join(): Promise<void>;
  leave(): void;
  send(data: unknown): RoomMessage;
  /** True while our message `id` waits for the relay to store it. */
  isPending(id: string): boolean;
  sendFile(file: Blob, options?: { to?: string | string[]; name?: string }): string;
  acceptFile(id: string): void;
  rejectFile(id: string): void;
  cancelFile(id: string): void;
  setMicrophone(on: boolean): void;
  setCamera(on: boolean): Promise<void>;
  shareScreen(on: boolean): Promise<void>;
  startRecording(options?: RecordingOptions): Promise<void>;
  stopRecording(): Promise<Blob | null>;
}
