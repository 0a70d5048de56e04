import type { SignalData } from '../protocol.js';
import type { ChannelFrame } from './channel-frames.js';

/** The direct path: the data channels to the other members. */
export interface DirectPath {
  /** Sends on the peer's data channel if it is open now; false otherwise. */
  send(id: string, frame: ChannelFrame): boolean;
  /** Queues a frame on every peer's data channel. */
  broadcast(frame: ChannelFrame, droppable: boolean): void;
  /** True when the data channel to `id` was down (or missing) at some point since clock time `t`. */
  wasDownSince(id: string, t: number): boolean;
}

/** The relay path: the durable publish and the relay-routed repair exchange. */
export interface RelayPath {
  /** The relay connection is up and its catch-up finished: nothing more will be replayed. */
  synced(): boolean;
  /** Largest message data the relay accepts, bytes. */
  maxMessageBytes(): number;
  /** The outbox has a new entry: send it. */
  publish(): void;
  /** Sends a repair exchange to one member through the relay; false when the relay is unreachable. */
  signal(id: string, data: SignalData): boolean;
}

/** Who is in the room. */
export interface MemberDirectory {
  nameOf(id: string): string;
  has(id: string): boolean;
  /** True while members missing after a relay restart may still come back. */
  readonly awaiting: boolean;
}

/** Everything the delivery of room messages talks through. */
export interface DeliveryPorts {
  readonly selfId: string;
  readonly direct: DirectPath;
  readonly relay: RelayPath;
  readonly members: MemberDirectory;
}
