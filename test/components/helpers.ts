import type { MeshRoomElement } from '../../components/index.js';

/** Waits until `check()` is true (checked every 10 ms); fails after `timeoutMs` naming `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** All rooms connected with a live link to each of the others. */
export const meshUp = (rooms: MeshRoomElement[]) =>
  rooms.every((r) => r.state === 'connected' && r.peers.length === rooms.length - 1 && r.peers.every((p) => p.state === 'connected'));

let n = 0;
/** A room id no other test uses. */
export const uniqueRoom = (prefix = 'c') => `${prefix}-${Date.now().toString(36)}-${++n}`;
