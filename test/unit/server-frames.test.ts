import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isProblem, parseClientFrame, parseServerFrame, type SignalData } from '../../core/protocol.js';

/** Signal data of every kind, as a peer sends it. */
const VALID: SignalData[] = [
  { kind: 'description', gen: 2, description: { type: 'offer', sdp: 'v=0\r\n' } },
  { kind: 'candidate', gen: 0, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null } },
  { kind: 'candidate', gen: 1, candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } },
  { kind: 'repair-request', fromN: 3, toN: 7 },
  { kind: 'repair-reply', messages: [{ n: 3, data: { text: 'hi' }, at: 1 }], missing: [[4, 7]] },
];

/** What the relay forwards for `data`: the signal frame it accepted, addressed to the other peer. */
function forwarded(data: unknown): string {
  const frame = parseClientFrame(JSON.stringify({ type: 'signal', to: 'b'.repeat(16), toSession: 's'.repeat(16), data }));
  assert.ok(!isProblem(frame) && frame.type === 'signal', `the relay accepts ${JSON.stringify(data)}`);
  return JSON.stringify({ type: 'signal', from: 'a'.repeat(16), fromSession: 'r'.repeat(16), toSession: 's'.repeat(16), data: frame.data });
}

describe('frames from the relay', () => {
  it('signal data the relay accepted reaches the client as it was sent', () => {
    for (const data of VALID) {
      const frame = parseServerFrame(forwarded(data));
      assert.ok(!isProblem(frame) && frame.type === 'signal', `accepted: ${JSON.stringify(data)}`);
      assert.deepEqual(frame.data, JSON.parse(forwarded(data)).data);
    }
  });

  it('malformed signal data from a relay that breaks the protocol is a typed problem, never a frame', () => {
    const bad: unknown[] = [
      null, [], 'offer', { kind: 'nonsense' },
      { kind: 'description', gen: -1, description: { type: 'offer', sdp: '' } },
      { kind: 'description', gen: 0, description: { type: 'hello', sdp: '' } },
      { kind: 'description', gen: 0, description: { type: 'offer', sdp: 5 } },
      { kind: 'description', gen: 0 },
      { kind: 'candidate', gen: 0, candidate: { candidate: 5 } },
      { kind: 'candidate', gen: 0, candidate: { candidate: '', sdpMid: 5 } },
      { kind: 'candidate', gen: 0, candidate: { candidate: '', sdpMLineIndex: 'x' } },
      { kind: 'candidate', gen: 0, candidate: { candidate: '', usernameFragment: {} } },
      { kind: 'candidate', gen: 0, candidate: [] },
      { kind: 'repair-request', fromN: 0, toN: 3 },
      { kind: 'repair-request', fromN: 5, toN: 3 },
      { kind: 'repair-request', fromN: 1 },
      { kind: 'repair-reply', messages: {}, missing: [] },
      { kind: 'repair-reply', messages: [{ n: 1, at: 1 }], missing: [] },
      { kind: 'repair-reply', messages: [{ n: '1', data: 1, at: 1 }], missing: [] },
      { kind: 'repair-reply', messages: [], missing: [[1]] },
      { kind: 'repair-reply', messages: [], missing: [[1, 'x']] },
    ];
    for (const data of bad) {
      const frame = parseServerFrame(JSON.stringify({ type: 'signal', from: 'a'.repeat(16), fromSession: 'r'.repeat(16), toSession: 's'.repeat(16), data }));
      assert.ok(isProblem(frame), `refused: ${JSON.stringify(data)}`);
      assert.equal(frame.problem, 'invalid-field');
    }
  });
});
