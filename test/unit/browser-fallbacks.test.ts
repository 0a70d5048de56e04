import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveBitrate } from '../../core/media/adaptive-bitrate.js';
import { FakeClock } from '../helpers/fake-clock.js';

/**
 * What an RTCRtpSender looks like in browsers that lack parts of `setParameters` (Safari has had
 * senders without encodings before negotiation, and older engines no getParameters at all): each
 * is passed to the adaptive bitrate as it would get it, never patched into a global.
 */
function sender(params: (() => unknown) | undefined, setParameters = async (_p: unknown) => {}): { sender: RTCRtpSender; set: unknown[] } {
  const set: unknown[] = [];
  const s = {
    track: { getSettings: () => ({ height: 720 }) },
    ...(params ? { getParameters: params } : {}),
    setParameters: async (p: unknown) => { set.push(structuredClone(p)); return setParameters(p); },
  };
  return { sender: s as unknown as RTCRtpSender, set };
}

describe('adaptive bitrate where setParameters is partial (feature-detected, never throws)', () => {
  for (const [what, params] of [
    ['no encodings array', () => ({ transactionId: 't' })],
    ['an empty encodings array', () => ({ transactionId: 't', encodings: [] })],
    ['no getParameters()', undefined],
  ] as const) {
    it(`${what}: steps through the ladder without touching the sender`, async () => {
      const clock = new FakeClock();
      const abr = new AdaptiveBitrate({ clock });
      const s = sender(params);
      for (let i = 0; i < 5; i++) {
        await abr.update('poor', s.sender);
        clock.advance(5000);
      }
      assert.equal(abr.current.name, '180p', 'the ladder still moves (applied once encodings appear)');
      assert.deepEqual(s.set, [], 'nothing was set on a sender without encodings');
    });
  }

  it('setParameters that rejects (encodings it does not take): the step stays, nothing throws', async () => {
    const clock = new FakeClock();
    const abr = new AdaptiveBitrate({ clock });
    const s = sender(() => ({ transactionId: 't', encodings: [{ active: true }] }), async () => { throw new DOMException('scaleResolutionDownBy is not supported', 'InvalidModificationError'); });
    await abr.update('poor', s.sender);
    assert.equal(abr.current.name, '480p');
    assert.equal(s.set.length, 1, 'it tried once');
    assert.deepEqual((s.set[0] as { encodings: unknown[] }).encodings[0], { active: true, maxBitrate: 800_000, scaleResolutionDownBy: 1.5 });
  });
});
