import type { SignalData } from '../protocol.js';

type Description = { type: RTCSdpType; sdp: string };

/** Glare as one link saw it, over all its connections (for diagnostics and tests). */
export interface GlareCounts {
  /** Remote offers that arrived while we were making or had made an offer of our own. */
  collisions: number;
  /**
   * Of those, the ones we (polite) gave way to: our offer rolled back, theirs answered (or, on a
   * new connection that had heard nothing back, the connection replaced by one that answers: see
   * `PeerLink`).
   */
  rollbacks: number;
  /** Of those, the ones we (impolite) ignored. */
  ignoredOffers: number;
}

/** What a negotiator needs from its link. */
export interface NegotiatorHost {
  /** Sends a description or candidate of this connection to the remote peer. */
  send(data: SignalData): void;
  /** Called with the remote offer applied and before the answer is made (to attach channels and tracks). */
  beforeAnswer(): Promise<void> | void;
  /** Something failed that the link's recovery will handle; for diagnostics. */
  warn(what: string, error?: unknown): void;
}

/**
 * Perfect negotiation for one `RTCPeerConnection` (one generation of a link): offers when the
 * connection needs negotiation, answers offers, and resolves glare by politeness — the impolite
 * side ignores a colliding offer, the polite side rolls back (implicitly, in
 * `setRemoteDescription`) and answers. Answers that do not fit the state are ignored, a repeated
 * offer gets the same answer again, candidates wait for their description, and candidates that no
 * longer apply fail quietly. Inbound signals are handled one at a time, in order.
 *
 * The flags below are the negotiation sub-state of this one connection; they never stand in for
 * the link's lifecycle state.
 */
export class Negotiator {
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #pendingCandidates: RTCIceCandidateInit[] = [];
  #inbound: Promise<void> = Promise.resolve();
  #closed = false;

  readonly #pc: RTCPeerConnection;
  readonly #gen: number;
  readonly #polite: boolean;
  readonly #host: NegotiatorHost;
  readonly #glare: GlareCounts;
  constructor(
    pc: RTCPeerConnection,
    gen: number,
    polite: boolean,
    host: NegotiatorHost,
    glare: GlareCounts = { collisions: 0, rollbacks: 0, ignoredOffers: 0 },
  ) {
    this.#glare = glare;
    this.#pc = pc;
    this.#gen = gen;
    this.#polite = polite;
    this.#host = host;
    pc.onnegotiationneeded = () => void this.#offer();
    pc.onicecandidate = ({ candidate }) => {
      if (this.#closed || !candidate || !candidate.candidate) return;
      const c = candidate.toJSON();
      host.send({
        kind: 'candidate', gen,
        candidate: { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null },
      });
    };
  }

  /** Queues a description or candidate of this generation. Never throws. */
  handle(data: SignalData & { kind: 'description' | 'candidate' }): Promise<void> {
    this.#inbound = this.#inbound
      .then(() => (data.kind === 'description' ? this.#onDescription(data.description) : this.#onCandidate(data.candidate)))
      .catch((error: unknown) => this.#host.warn('signal handling failed', error));
    return this.#inbound;
  }

  /** Sends the current local description again (after signaling was down and it may have been lost). */
  resend(): void {
    const local = this.#pc.localDescription;
    if (local && (this.#pc.signalingState === 'have-local-offer' || local.type === 'answer')) this.#sendDescription(local);
  }

  /** Stops reacting to the connection's events. */
  close(): void {
    this.#closed = true;
    this.#pc.onnegotiationneeded = null;
    this.#pc.onicecandidate = null;
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      const local = this.#pc.localDescription;
      if (!this.#closed && local?.type === 'offer') this.#sendDescription(local);
    } catch (error) {
      this.#host.warn('could not make an offer', error);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #onDescription(desc: Description): Promise<void> {
    if (this.#closed) return;
    const pc = this.#pc;
    const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
    const collision = desc.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#polite && collision;
    if (collision) {
      this.#glare.collisions++;
      if (this.#ignoreOffer) this.#glare.ignoredOffers++;
      else this.#glare.rollbacks++;
    }
    if (this.#ignoreOffer) return;
    if (desc.type === 'answer' && pc.signalingState !== 'have-local-offer') return; // duplicate or stale
    if (desc.type === 'offer' && pc.signalingState === 'stable' && pc.remoteDescription?.sdp === desc.sdp) {
      // The same offer again: our answer was probably lost. Answer again.
      if (pc.localDescription?.type === 'answer') this.#sendDescription(pc.localDescription);
      return;
    }
    this.#settingRemoteAnswer = desc.type === 'answer';
    try {
      await pc.setRemoteDescription(desc); // rolls back our own offer first when polite
    } finally {
      this.#settingRemoteAnswer = false;
    }
    if (this.#closed) return;
    if (desc.type === 'offer') {
      await this.#host.beforeAnswer();
      await pc.setLocalDescription();
      if (!this.#closed && pc.localDescription) this.#sendDescription(pc.localDescription);
    }
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const c of pending) await this.#onCandidate(c);
  }

  async #onCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.#closed) return;
    if (!this.#pc.remoteDescription) {
      if (this.#pendingCandidates.length < 256) this.#pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.#pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an ignored offer or an older ICE generation fail here; that is expected.
      if (!this.#ignoreOffer) this.#host.warn('ignored an ICE candidate that did not apply', error);
    }
  }

  #sendDescription(d: { type: RTCSdpType; sdp: string }): void {
    this.#host.send({ kind: 'description', gen: this.#gen, description: { type: d.type as 'offer' | 'answer', sdp: d.sdp } });
  }
}
