import type { Clock } from '../base/clock.js';
import type { MeshError } from '../base/errors.js';
import type { Outbox } from '../delivery/outbox.js';
import type { ServerFrame, WelcomeFrame } from '../protocol.js';
import type { RoomOptions } from './room-types.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import type { JoinIdentity, SignalingState, StateChange } from '../signaling/signaling-types.js';

/** What a room hears from its relay connection. */
export interface RoomSignalingEvents {
  state(change: StateChange<SignalingState>): void;
  welcome(w: WelcomeFrame): void;
  synced(): void;
  frame(f: ServerFrame): void;
  ack(n: number): void;
  error(e: MeshError): void;
}

/** Makes a room's relay connection from the room's options and routes its events; `connect()` it. */
export function openSignaling(options: RoomOptions, clock: Clock, identity: () => JoinIdentity, outbox: Outbox, on: RoomSignalingEvents): SignalingClient {
  const sc = new SignalingClient({
    urls: Array.isArray(options.relay) ? options.relay : [options.relay],
    identity,
    outbox,
    position: null,
    WebSocket: options.WebSocket,
    clock,
    random: options.random,
    networkEvents: options.networkEvents,
    visibility: options.visibility,
    ...options.signaling,
  });
  sc.addEventListener('state-change', (e) => on.state(e.detail));
  sc.addEventListener('welcome', (e) => on.welcome(e.detail));
  sc.addEventListener('synced', () => on.synced());
  sc.addEventListener('frame', (e) => on.frame(e.detail));
  sc.addEventListener('ack', (e) => on.ack(e.detail.n));
  sc.addEventListener('publish-rejected', (e) => on.error(e.detail.error));
  sc.addEventListener('error', (e) => on.error(e.detail));
  return sc;
}
