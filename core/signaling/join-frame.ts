import { PROTOCOL_VERSION, type JoinFrame, type StreamPosition } from '../protocol.js';

/**
 * The first frame on every socket: who we are, the last message the relay stored from us
 * (`lastN`), and where we were in the room's stream (`resume`), when we were anywhere.
 */
export function joinFrame(id: Omit<JoinFrame, 'type' | 'v' | 'lastN' | 'resume'> & { baseN: number }, ackedN: number, position: StreamPosition | null): JoinFrame {
  const join: JoinFrame = { type: 'join', v: PROTOCOL_VERSION, ...id, lastN: Math.max(ackedN, id.baseN) };
  if (id.token === undefined) delete join.token;
  if (position) join.resume = { ...position };
  return join;
}
