import type { TestRunnerPlugin } from '@web/test-runner';
import { RelayServer } from './relay-server.js';
import { Logger } from './logger.js';
import type { RelayOptionsInput } from './relay-options.js';

/**
 * A web-test-runner plugin for sites that test their pages with `<mesh-room>`: it starts a real
 * relay on 127.0.0.1 (a free port) with the test server and stops it afterwards. Tests ask for
 * its address with a server command:
 *
 * @example
 * // web-test-runner.config.mjs
 * import { meshRelayPlugin } from 'mesh-room/testing';
 * export default { plugins: [meshRelayPlugin()] };
 *
 * // my-page.test.js
 * import { executeServerCommand } from '@web/test-runner-commands';
 * const { wsUrl } = await executeServerCommand('mesh-relay');
 * const el = await fixture(html`<mesh-room relay=${wsUrl} room="t" name="Ada"></mesh-room>`);
 */
export function meshRelayPlugin(options: RelayOptionsInput = {}): TestRunnerPlugin {
  let relay: RelayServer | null = null;
  return {
    name: 'mesh-relay',
    async serverStart() {
      relay = new RelayServer({ host: '127.0.0.1', port: 0, logLevel: 'warn', ...options }, { log: new Logger(options.logLevel ?? 'warn') });
      await relay.listen();
    },
    async serverStop() {
      await relay?.close();
      relay = null;
    },
    async executeCommand({ command }) {
      if (command !== 'mesh-relay' || !relay) return undefined;
      return { wsUrl: relay.wsUrl, httpUrl: relay.httpUrl };
    },
  };
}
