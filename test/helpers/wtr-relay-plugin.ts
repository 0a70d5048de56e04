import type { TestRunnerPlugin } from '@web/test-runner';
import { RelayProcess } from './relay-process.js';
import { TcpProxy } from './tcp-proxy.js';
import { createRoomToken } from '../../relay/room-token.js';

/**
 * A web-test-runner plugin that runs real relays for browser tests. One shared relay starts with
 * the test server; tests that kill or restart a relay spawn their own with `relay-spawn`, so
 * faults never leak into other tests. Browser side: see `browser-relay.ts`.
 */
export function relayPlugin(): TestRunnerPlugin {
  let shared: RelayProcess | null = null;
  const spawned = new Map<number, RelayProcess>();
  const proxies = new Map<number, TcpProxy>();
  let nextId = 1;
  const urls = (r: RelayProcess) => ({ wsUrl: r.wsUrl, httpUrl: r.httpUrl });
  return {
    name: 'mesh-relay',
    async serverStart() {
      shared = new RelayProcess({ args: ['--grace-ms', '3000'] });
      await shared.start();
    },
    async serverStop() {
      await shared?.kill('SIGTERM');
      for (const r of spawned.values()) await r.kill();
      spawned.clear();
      for (const p of proxies.values()) await p.close();
      proxies.clear();
    },
    async executeCommand({ command, payload }) {
      const p = (payload ?? {}) as { id?: number; args?: string[]; signal?: NodeJS.Signals };
      const get = () => {
        const r = spawned.get(p.id ?? -1);
        if (!r) throw new Error(`no spawned relay ${p.id}`);
        return r;
      };
      switch (command) {
        case 'relay-info':
          return urls(shared!);
        case 'http-get': {
          // Reads a relay endpoint from the Node side (the test page's origin is not the relay's).
          const url = new URL((payload as { url: string }).url);
          if (url.hostname !== '127.0.0.1') throw new Error('http-get is for loopback relays only');
          const res = await fetch(url);
          return { status: res.status, body: await res.json().catch(() => null) };
        }
        case 'relay-spawn': {
          const r = new RelayProcess({ args: p.args ?? [] });
          await r.start();
          const id = nextId++;
          spawned.set(id, r);
          return { id, ...urls(r) };
        }
        case 'relay-kill':
          await get().kill(p.signal ?? 'SIGKILL');
          return true;
        case 'relay-start':
          await get().start();
          return true;
        case 'relay-restart':
          await get().restart(p.signal ?? 'SIGKILL');
          return true;
        case 'relay-dispose':
          await get().kill();
          spawned.delete(p.id!);
          return true;
        case 'room-token': {
          const t = payload as { secret: string; room: string; name?: string; ttlSeconds: number; now?: number };
          return createRoomToken(t.secret, t);
        }
        case 'proxy-spawn': {
          // A TCP proxy in front of the shared relay, to cut one client's signaling only.
          const proxy = new TcpProxy(shared!.port);
          await proxy.listen();
          const id = nextId++;
          proxies.set(id, proxy);
          return { id, wsUrl: proxy.wsUrl };
        }
        case 'proxy-cut': {
          const proxy = proxies.get(p.id ?? -1)!;
          proxy.refuse();
          proxy.cut();
          return true;
        }
        case 'proxy-heal':
          proxies.get(p.id ?? -1)!.heal();
          return true;
        case 'proxy-dispose':
          await proxies.get(p.id ?? -1)?.close();
          proxies.delete(p.id!);
          return true;
        default:
          return undefined;
      }
    },
  };
}
