import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../components/index.js';
import type { MeshRoomElement } from '../../components/index.js';
import { uniqueRoom, until } from './helpers.js';

// What a site's own test looks like with `meshRelayPlugin()` from 'mesh-room/testing'.
describe('meshRelayPlugin (for sites\' own web-test-runner tests)', () => {
  it('starts a relay and tells the test where it is; a <mesh-room> joins it', async () => {
    const { wsUrl, httpUrl } = await executeServerCommand<{ wsUrl: string; httpUrl: string }, undefined>('mesh-relay');
    expect(wsUrl).to.match(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(httpUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${wsUrl} room=${uniqueRoom('site')} name="Ada"></mesh-room>`);
    await until(() => el.state === 'connected', 'connected to the plugin\'s relay');
  });
});
