import type { LocalMedia } from './local-media.js';
import type { LinkTracks } from '../link/peer-link.js';

type Kind = 'audio' | 'video';

/**
 * The sending side of media on one `RTCPeerConnection`: one transceiver per kind this peer
 * sends, created once per connection. Later track changes (mute, camera off, screen share) go
 * through `replaceTrack`, so they never renegotiate.
 */
export class LinkMedia implements LinkTracks {
  readonly #senders = new Map<Kind, RTCRtpTransceiver>();

  readonly #pc: RTCPeerConnection;
  readonly #local: LocalMedia | null;
  /** The room's media moved to the SFU: this connection sends nothing any more. */
  #stopped = false;
  constructor(pc: RTCPeerConnection, local: LocalMedia | null) {
    this.#pc = pc;
    this.#local = local;
  }

  /** The video sender (for adaptive bitrate), if this peer sends video. */
  get videoSender(): RTCRtpSender | null {
    return this.#senders.get('video')?.sender ?? null;
  }

  /** The offering side: one send-and-receive transceiver per kind we send. */
  addOwn(): void {
    for (const kind of this.#kinds()) {
      if (this.#senders.has(kind)) continue;
      this.#senders.set(kind, this.#pc.addTransceiver(this.#track(kind) ?? kind, { direction: 'sendrecv', streams: this.#streams() }));
    }
  }

  /**
   * The answering side, with the remote offer applied: send on the transceivers the offer
   * created for each kind (so the answer carries our tracks without another round), adding one
   * only for a kind the offer lacks (which negotiates once more).
   */
  async adoptAfterOffer(): Promise<void> {
    for (const kind of this.#kinds()) {
      if (this.#senders.has(kind)) continue;
      const used = new Set(this.#senders.values());
      const t = this.#pc.getTransceivers().find((x) => !used.has(x) && x.mid !== null && x.receiver.track.kind === kind && !x.sender.track && x.currentDirection !== 'stopped');
      if (t) {
        t.direction = 'sendrecv';
        t.sender.setStreams(...this.#streams());
        await t.sender.replaceTrack(this.#track(kind));
        this.#senders.set(kind, t);
      } else {
        this.#senders.set(kind, this.#pc.addTransceiver(this.#track(kind) ?? kind, { direction: 'sendrecv', streams: this.#streams() }));
      }
    }
  }

  /** Puts the current local tracks on the senders (after mute, camera on/off, screen share). */
  async sync(): Promise<void> {
    for (const [kind, t] of this.#senders) {
      const track = this.#track(kind);
      if (t.sender.track !== track) await t.sender.replaceTrack(track).catch(() => {});
    }
  }

  /** Stops sending on this connection for good (the room's media moved to the SFU). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.sync();
  }

  /**
   * A peer says what we send it stopped moving (repair step 1): our track goes back on the sender
   * and its layers are switched on again; when nothing was off, the layer is restarted, which
   * makes the encoder begin with a key frame.
   */
  async restart(kinds: Kind[]): Promise<void> {
    for (const kind of kinds) {
      const t = this.#senders.get(kind);
      const track = this.#track(kind);
      if (!t || !track) continue;
      const { sender } = t;
      const set = async (active: boolean) => {
        const p = sender.getParameters();
        for (const e of p.encodings) e.active = active;
        await sender.setParameters(p);
      };
      try {
        if (sender.track !== track) await sender.replaceTrack(track);
        else if (sender.getParameters().encodings.some((e) => !e.active)) await set(true);
        else if (kind === 'video') await set(false).then(() => set(true));
      } catch {
        // The connection changed under us; the peer asks again if it is still stalled.
      }
    }
  }

  #kinds(): Kind[] {
    if (!this.#local) return [];
    return (['audio', 'video'] as const).filter((k) => this.#local!.kinds[k]);
  }

  #track(kind: Kind): MediaStreamTrack | null {
    return this.#stopped ? null : this.#local?.[kind] ?? null;
  }

  #streams(): MediaStream[] {
    return this.#local ? [this.#local.stream] : [];
  }
}
