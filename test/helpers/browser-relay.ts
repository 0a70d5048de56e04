import { executeServerCommand } from '@web/test-runner-commands';

export interface RelayUrls { wsUrl: string; httpUrl: string }
export interface SpawnedRelay extends RelayUrls { id: number }

/** The relay shared by all browser tests (never faulted). */
export function sharedRelay(): Promise<RelayUrls> {
  return executeServerCommand<RelayUrls, undefined>('relay-info');
}

/** A relay of this test's own, to kill and restart. Dispose it at the end. */
export function spawnRelay(args: string[] = []): Promise<SpawnedRelay> {
  return executeServerCommand<SpawnedRelay, { args: string[] }>('relay-spawn', { args });
}

export const killRelay = (r: SpawnedRelay) => executeServerCommand('relay-kill', { id: r.id });
export const startRelay = (r: SpawnedRelay) => executeServerCommand('relay-start', { id: r.id });
export const restartRelay = (r: SpawnedRelay) => executeServerCommand('relay-restart', { id: r.id });
export const disposeRelay = (r: SpawnedRelay) => executeServerCommand('relay-dispose', { id: r.id });

/** GETs a JSON endpoint of a relay (through the test runner, not subject to CORS). */
export function relayGet<T = any>(url: string): Promise<{ status: number; body: T }> {
  return executeServerCommand<{ status: number; body: T }, { url: string }>('http-get', { url });
}

/** A TCP proxy in front of the shared relay: connect one client through it to cut it alone. */
export interface SpawnedProxy { id: number; wsUrl: string }
export const spawnProxy = () => executeServerCommand<SpawnedProxy, undefined>('proxy-spawn');
/** Resets the proxy's connections and refuses new ones (the client's relay is gone). */
export const cutProxy = (p: SpawnedProxy) => executeServerCommand('proxy-cut', { id: p.id });
export const healProxy = (p: SpawnedProxy) => executeServerCommand('proxy-heal', { id: p.id });
export const disposeProxy = (p: SpawnedProxy) => executeServerCommand('proxy-dispose', { id: p.id });

/** A signed room token, made on the Node side as a site's backend would. */
export const roomToken = (t: { secret: string; room: string; name?: string; ttlSeconds: number; now?: number }) =>
  executeServerCommand<string, typeof t>('room-token', t);
