import { expect } from '@open-wc/testing';
import { Room } from '../../core/index.js';
import { relayGet, sharedRelay } from '../helpers/browser-relay.js';
import { randomId } from '../../core/base/ids.js';

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Room: rapid leave and join', () => {
  it('100 leave/join cycles with the same name all succeed and leave no ghost member', async function () {
    this.timeout(120_000);
    const { wsUrl, httpUrl } = await sharedRelay();
    const id = `rapid-${randomId(6)}`;
    const observer = new Room({ relay: wsUrl, room: id, name: 'Observer' });
    const flapper = new Room({ relay: wsUrl, room: id, name: 'Flapper' });
    try {
      await observer.join();
      let ok = 0;
      for (let i = 0; i < 100; i++) {
        await flapper.join();
        ok++;
        flapper.leave(); // and straight back in on the next turn
      }
      await flapper.join();
      expect(ok).to.equal(100);
      await until(() => observer.peers.length === 1 && observer.peers[0].state === 'connected', 'observer sees one live Flapper');
      expect(observer.peers.map((p) => p.name)).to.deep.equal(['Flapper']);
      expect(flapper.peers.map((p) => p.name)).to.deep.equal(['Observer']);
      // The relay agrees: exactly two members, both online.
      const state = (await relayGet(`${httpUrl}/rooms/${id}/state`)).body;
      expect(state.members.map((m: { name: string }) => m.name).sort()).to.deep.equal(['Flapper', 'Observer']);
      expect(state.members.every((m: { online: boolean }) => m.online)).to.equal(true);
      // And the link between them works.
      const got = new Promise((resolve) => observer.addEventListener('message', (e) => resolve(e.detail.data), { once: true }));
      flapper.send('still me');
      expect(await got).to.equal('still me');
    } finally {
      flapper.close();
      observer.close();
    }
  });

  it('leave and join again within the same task ends in one membership', async () => {
    const { wsUrl } = await sharedRelay();
    const id = `rapid-${randomId(6)}`;
    const observer = new Room({ relay: wsUrl, room: id, name: 'O' });
    const r = new Room({ relay: wsUrl, room: id, name: 'R' });
    try {
      await observer.join();
      await r.join();
      r.leave();
      await r.join();
      await until(() => observer.peers.length === 1 && observer.peers[0].state === 'connected', 'one live R');
      expect(observer.peers.map((p) => p.id)).to.deep.equal([r.selfId]);
    } finally {
      r.close();
      observer.close();
    }
  });
});
