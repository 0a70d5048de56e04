import type { SignalingClientOptions } from './signaling-types.js';

/**
 * Calls `wake` when the network comes back (`online`) or the page becomes visible again, from
 * the sources the options name (default: `window` and `document` when present). Returns the
 * functions that remove the listeners.
 */
export function listenForWakeups(options: Pick<SignalingClientOptions, 'networkEvents' | 'visibility'>, wake: () => void): Array<() => void> {
  const removers: Array<() => void> = [];
  const net = options.networkEvents !== undefined ? options.networkEvents
    : (typeof window !== 'undefined' ? window : null);
  const vis = options.visibility !== undefined ? options.visibility
    : (typeof document !== 'undefined' ? { target: document, visible: () => document.visibilityState === 'visible' } : null);
  if (net) {
    const onOnline = () => wake();
    net.addEventListener('online', onOnline);
    removers.push(() => net.removeEventListener('online', onOnline));
  }
  if (vis) {
    const onVisible = () => { if (vis.visible()) wake(); };
    vis.target.addEventListener('visibilitychange', onVisible);
    removers.push(() => vis.target.removeEventListener('visibilitychange', onVisible));
  }
  return removers;
}
