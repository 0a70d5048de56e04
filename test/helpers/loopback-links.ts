import { PeerLink, type PeerLinkOptions } from '../../core/link/peer-link.js';
import type { SignalData } from '../../core/protocol.js';
import { randomId } from '../../core/base/ids.js';

/** Knobs on the signal path between two loopback links. */
export interface SignalPath {
  /** Deliver each signal this many times (duplicates). Default 1. */
  copies: number;
  /** Drop signals while true (signaling outage). */
  down: boolean;
  /** Hold descriptions back this long, ms, so candidates overtake them. Default 0. */
  descriptionDelayMs: number;
  /** Every signal that went through, in order. */
  log: SignalData[];
}

/**
 * Two real PeerLinks in one page, each one's signals fed into the other's `handleSignal` on a
 * later task (as a network would), with knobs for duplicates, delays and outages.
 */
export function loopbackPair(opts: { aInitiates?: boolean; bInitiates?: boolean; tuning?: PeerLinkOptions['tuning']; aRTC?: typeof RTCPeerConnection } = {}) {
  const ids = [randomId(), randomId()].sort();
  const path: Record<'ab' | 'ba', SignalPath> = {
    ab: { copies: 1, down: false, descriptionDelayMs: 0, log: [] },
    ba: { copies: 1, down: false, descriptionDelayMs: 0, log: [] },
  };
  let a: PeerLink;
  let b: PeerLink;
  const deliver = (p: SignalPath, to: () => PeerLink) => (data: SignalData): boolean => {
    if (p.down) return false;
    p.log.push(data);
    const delay = data.kind === 'description' ? p.descriptionDelayMs : 0;
    for (let i = 0; i < p.copies; i++) setTimeout(() => to().handleSignal(structuredClone(data)), delay);
    return true;
  };
  // ids[0] < ids[1]: a is polite, b is impolite.
  a = new PeerLink({ selfId: ids[0], remoteId: ids[1], initiate: opts.aInitiates ?? true, signal: deliver(path.ab, () => b), tuning: opts.tuning, RTCPeerConnection: opts.aRTC });
  b = new PeerLink({ selfId: ids[1], remoteId: ids[0], initiate: opts.bInitiates ?? false, signal: deliver(path.ba, () => a), tuning: opts.tuning });
  return { a, b, path, close: () => { a.close(); b.close(); } };
}

/** Resolves when the link reaches `state`; rejects after `timeoutMs`. */
export function linkState(link: PeerLink, state: PeerLink['state'], timeoutMs = 10_000): Promise<void> {
  if (link.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      link.removeEventListener('state-change', on);
      reject(new Error(`link did not reach ${state} within ${timeoutMs} ms (is ${link.state})`));
    }, timeoutMs);
    const on = () => {
      if (link.state !== state) return;
      clearTimeout(timer);
      link.removeEventListener('state-change', on);
      resolve();
    };
    link.addEventListener('state-change', on);
  });
}

/** Resolves with the next data-channel frame the link receives. */
export function nextFrame(link: PeerLink, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no data-channel frame arrived')), timeoutMs);
    link.addEventListener('message', (e) => { clearTimeout(timer); resolve(e.detail); }, { once: true });
  });
}
