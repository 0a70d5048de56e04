import { createHash } from 'node:crypto';
import type { SfuCandidate, SfuFrame, SfuReplyFrame } from '../../core/protocol.js';
import type { Logger } from '../logger.js';
import { JanusApi, JanusError } from './janus-api.js';

const VIDEOROOM = 'janus.plugin.videoroom';
/** VideoRoom error codes the gateway answers itself. */
const NO_SUCH_ROOM = 426;
const NO_SUCH_FEED = 428;
const ROOM_EXISTS = 427;
const ID_EXISTS = 436;

export interface SfuGatewayOptions {
  /** Janus's WebSocket API, e.g. `ws://127.0.0.1:8188`. */
  url: string;
  /** Janus's `api_secret`. */
  apiSecret: string | null;
  /** VideoRoom's `admin_key` (needed to create rooms when Janus sets one). */
  adminKey: string | null;
  /** Publishers per room (the relay's member limit). */
  maxPublishers: number;
  log: Logger;
  /** Tells every member of relay room `roomId`, on every relay node, but `except`. */
  announce(roomId: string, frame: SfuReplyFrame, except: string): void;
}

/** Where a member is: its room and its peer id (a relay `Membership`). */
export interface SfuMember { readonly roomId: string; readonly peerId: string }

/** One member's handles on Janus: its publication, and a subscription per peer it watches. */
interface MemberHandles { publisher: number | null; subs: Map<string, number> }

/** A stable 52-bit number for `text` (Janus ids are integers; every relay node derives the same). */
function numberFor(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 13), 16);
}

/** The VideoRoom room of relay room `roomId`. */
export const videoRoomOf = (roomId: string): number => numberFor(`room\n${roomId}`);

/**
 * The relay's side of the SFU: it drives Janus's VideoRoom for its members, who never see the
 * Janus API or its secrets. Each relay room is a VideoRoom room (number and management secret
 * derived from the room id, so every relay node finds the same one), created on first publish
 * and destroyed when its last publisher goes. A member publishes once (feed id derived from its
 * peer id) and subscribes to other members by peer id, only in its own room.
 */
export class SfuGateway {
  readonly #o: SfuGatewayOptions;
  readonly #api: JanusApi;
  readonly #members = new Map<string, MemberHandles>();
  /** Which member and peer (or its publication, '') each handle belongs to. */
  readonly #owners = new Map<number, { key: string; peer: string }>();
  readonly #roomSecretSeed: string;
  /** The operation under way per member and subscription (or publication): one at a time, in order. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Where each member's replies go (its latest socket that sent an sfu frame). */
  readonly #replies = new Map<string, { member: SfuMember; reply: (r: SfuReplyFrame) => void }>();

  constructor(options: SfuGatewayOptions) {
    this.#o = options;
    this.#roomSecretSeed = options.adminKey ?? options.apiSecret ?? 'mesh-room';
    this.#api = new JanusApi({
      url: options.url,
      apiSecret: options.apiSecret,
      onEvent: (handle, m) => this.#onEvent(handle, m),
      onLost: () => {
        this.#o.log.warn('the SFU connection was lost; members publish again when it is back');
        this.#members.clear();
        this.#owners.clear();
      },
    });
  }

  /**
   * Handles one `sfu` frame of `member`; the answer goes to `reply`. Never throws. Frames about
   * the same subscription (or the publication) run one after another, in the order they came.
   */
  handle(member: SfuMember, f: SfuFrame, reply: (r: SfuReplyFrame) => void): Promise<void> {
    this.#replies.set(this.#key(member), { member, reply });
    return this.#serial(member, 'peer' in f ? f.peer ?? '' : '', () => this.#handle(member, f, reply));
  }

  /** Runs `fn` after what is under way for the member's subscription to `peer` (or, with '', its publication). */
  #serial(member: SfuMember, peer: string, fn: () => Promise<void>): Promise<void> {
    const key = `${this.#key(member)}\n${peer}`;
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(fn);
    this.#queues.set(key, run);
    void run.then(() => {
      if (this.#queues.get(key) === run) this.#queues.delete(key);
    });
    return run;
  }

  async #handle(member: SfuMember, f: SfuFrame, reply: (r: SfuReplyFrame) => void): Promise<void> {
    const peer = 'peer' in f ? f.peer : undefined;
    try {
      switch (f.op) {
        case 'publish': return reply({ type: 'sfu', op: 'answer', sdp: await this.#publish(member, f.sdp) });
        case 'subscribe': {
          const sdp = await this.#subscribe(member, f.peer);
          return reply(sdp === null ? { type: 'sfu', op: 'absent', peer: f.peer } : { type: 'sfu', op: 'offer', peer: f.peer, sdp });
        }
        case 'start': return await this.#start(member, f.peer, f.sdp);
        case 'layer': return await this.#layer(member, f.peer, f.mid, f.substream);
        case 'candidate': return await this.#trickle(member, f.peer, f.candidate);
        case 'stop': return await (f.peer === undefined ? this.#unpublish(member) : this.#unsubscribe(member, f.peer));
      }
    } catch (err) {
      // The detail (addresses, Janus's words) is the operator's; the member learns what to expect.
      this.#o.log.warn('sfu request failed', { room: member.roomId, op: f.op, err: String((err as Error)?.message ?? err) });
      const message = err instanceof JanusError ? 'the SFU refused the request; it is asked again' : 'the SFU cannot be reached now; media comes back when it is';
      reply({ type: 'sfu', op: 'failed', ...(peer ? { peer } : {}), code: 'sfu-unavailable', message });
    }
  }

  /**
   * The member left the room for good (leave, grace period over, replaced): its subscriptions and
   * publication end after whatever is under way for them, and nothing of it stays.
   */
  memberGone(member: SfuMember): void {
    const key = this.#key(member);
    this.#replies.delete(key);
    const handles = this.#members.get(key);
    if (!handles) return;
    const ends = [...handles.subs.keys()].map((peer) => this.#serial(member, peer, () => this.#unsubscribe(member, peer).catch(() => {})));
    ends.push(this.#serial(member, '', () => this.#unpublish(member).catch(() => {})));
    void Promise.all(ends).then(() => {
      const h = this.#members.get(key);
      if (h && h.publisher === null && h.subs.size === 0) this.#members.delete(key);
    });
  }

  /** Ends the Janus session (every handle with it). Idempotent. */
  close(): void {
    this.#replies.clear();
    this.#queues.clear();
    this.#members.clear();
    this.#owners.clear();
    this.#api.close();
  }

  #key(m: SfuMember): string { return `${m.roomId}\n${m.peerId}`; }
  #room(roomId: string): number { return videoRoomOf(roomId); }
  #feed(roomId: string, peerId: string): number { return numberFor(`feed\n${roomId}\n${peerId}`); }
  #roomSecret(roomId: string): string { return createHash('sha256').update(`${this.#roomSecretSeed}\n${roomId}`).digest('hex'); }

  #handles(m: SfuMember): MemberHandles {
    const key = this.#key(m);
    let h = this.#members.get(key);
    if (!h) this.#members.set(key, (h = { publisher: null, subs: new Map() }));
    return h;
  }

  async #attach(m: SfuMember, peer: string): Promise<number> {
    const handle = await this.#api.attach(VIDEOROOM);
    this.#owners.set(handle, { key: this.#key(m), peer });
    return handle;
  }

  async #detach(handle: number): Promise<void> {
    this.#owners.delete(handle);
    await this.#api.detach(handle);
  }

  async #createRoom(handle: number, roomId: string): Promise<void> {
    try {
      await this.#api.message(handle, {
        request: 'create', room: this.#room(roomId), secret: this.#roomSecret(roomId), publishers: this.#o.maxPublishers,
        is_private: true, audiocodec: 'opus', videocodec: 'vp8', notify_joining: false,
        ...(this.#o.adminKey ? { admin_key: this.#o.adminKey } : {}),
      });
    } catch (err) {
      if (!(err instanceof JanusError && err.code === ROOM_EXISTS)) throw err;
    }
  }

  async #publish(m: SfuMember, sdp: string): Promise<string> {
    await this.#unpublish(m);
    const handle = await this.#attach(m, '');
    this.#handles(m).publisher = handle;
    const room = this.#room(m.roomId);
    const id = this.#feed(m.roomId, m.peerId);
    // Janus sets up ICE for an offer before the plugin looks at the request, and a refusal then
    // reads "Error setting ICE locally": the room and the seat come first, the offer after.
    await this.#createRoom(handle, m.roomId);
    const join = () => this.#api.message(handle, { request: 'join', ptype: 'publisher', room, id, display: m.peerId });
    try {
      await join();
    } catch (err) {
      if (!(err instanceof JanusError)) throw err;
      // Destroyed meanwhile by its last publisher leaving: create it again.
      if (err.code === NO_SUCH_ROOM) await this.#createRoom(handle, m.roomId);
      // Our feed id still held (a publication this relay lost track of): end it, then join again.
      else if (err.code === ID_EXISTS) await this.#api.message(handle, { request: 'kick', room, id, secret: this.#roomSecret(m.roomId) }).catch(() => {});
      else throw err;
      await join();
    }
    const reply = await this.#api.message(handle, { request: 'configure', audio: true, video: true }, { type: 'offer', sdp });
    if (!reply.jsep) throw new JanusError(0, 'the SFU answered the publication without a session description');
    return reply.jsep.sdp;
  }

  async #unpublish(m: SfuMember): Promise<void> {
    const h = this.#members.get(this.#key(m));
    const handle = h?.publisher;
    if (!h || handle == null) return;
    h.publisher = null;
    await this.#detach(handle);
    await this.#destroyIfEmpty(m.roomId);
  }

  /** Destroys the VideoRoom room when nobody publishes in it (a joiner that races this creates it again). */
  async #destroyIfEmpty(roomId: string): Promise<void> {
    const handle = await this.#api.attach(VIDEOROOM);
    try {
      const room = this.#room(roomId);
      const { data } = await this.#api.message(handle, { request: 'listparticipants', room });
      if (Array.isArray(data.participants) && data.participants.length === 0) {
        await this.#api.message(handle, { request: 'destroy', room, secret: this.#roomSecret(roomId) });
      }
    } catch (err) {
      if (!(err instanceof JanusError)) throw err;
    } finally {
      await this.#api.detach(handle);
    }
  }

  /** The offer of a subscription to `peer`'s publication, or null when `peer` publishes nothing. */
  async #subscribe(m: SfuMember, peer: string): Promise<string | null> {
    const h = this.#handles(m);
    if (!h.subs.has(peer) && h.subs.size >= this.#o.maxPublishers) throw new JanusError(0, `at most ${this.#o.maxPublishers} subscriptions per member`);
    await this.#unsubscribe(m, peer);
    const handle = await this.#attach(m, peer);
    h.subs.set(peer, handle);
    try {
      const reply = await this.#api.message(handle, { request: 'join', ptype: 'subscriber', room: this.#room(m.roomId), streams: [{ feed: this.#feed(m.roomId, peer) }] });
      if (!reply.jsep) throw new JanusError(0, 'the SFU offered the subscription without a session description');
      return reply.jsep.sdp;
    } catch (err) {
      if (!(err instanceof JanusError && (err.code === NO_SUCH_FEED || err.code === NO_SUCH_ROOM))) throw err;
      await this.#unsubscribe(m, peer);
      return null;
    }
  }

  async #start(m: SfuMember, peer: string, sdp: string): Promise<void> {
    const handle = this.#members.get(this.#key(m))?.subs.get(peer);
    if (handle === undefined) throw new JanusError(0, `no subscription to ${peer} is waiting for an answer`);
    await this.#api.message(handle, { request: 'start' }, { type: 'answer', sdp });
  }

  /** One of the member's ICE candidates, for its subscription to `peer` or (without) its publication. */
  async #trickle(m: SfuMember, peer: string | undefined, candidate: SfuCandidate | null): Promise<void> {
    const h = this.#members.get(this.#key(m));
    const handle = peer === undefined ? h?.publisher : h?.subs.get(peer);
    if (handle == null) return;
    await this.#api.trickle(handle, candidate);
  }

  /** Which simulcast layer of `peer`'s video the member gets (Janus switches at the next key frame). */
  async #layer(m: SfuMember, peer: string, mid: string, substream: number): Promise<void> {
    const handle = this.#members.get(this.#key(m))?.subs.get(peer);
    if (handle === undefined) return;
    await this.#api.message(handle, { request: 'configure', streams: [{ mid, substream }] });
  }

  async #unsubscribe(m: SfuMember, peer: string): Promise<void> {
    const h = this.#members.get(this.#key(m));
    const handle = h?.subs.get(peer);
    if (!h || handle === undefined) return;
    h.subs.delete(peer);
    await this.#detach(handle);
  }

  /**
   * A publication's media is up (`webrtcup`): the members of its room, on every relay node, are
   * told to subscribe now (those waiting, and those whose subscription was to a publication it replaced).
   * Janus ended a handle's peer connection (`hangup`: the page went away, ICE failed): the handle goes.
   */
  #onEvent(handle: number, m: Record<string, unknown>): void {
    const owner = this.#owners.get(handle);
    if (!owner) return;
    if (m.janus === 'webrtcup' && owner.peer === '') {
      const publisher = this.#replies.get(owner.key)?.member;
      if (publisher) this.#o.announce(publisher.roomId, { type: 'sfu', op: 'published', peer: publisher.peerId }, publisher.peerId);
      return;
    }
    if (m.janus !== 'hangup') return;
    const h = this.#members.get(owner.key);
    const publisher = h?.publisher === handle;
    if (publisher) h.publisher = null;
    else if (h?.subs.get(owner.peer) === handle) h.subs.delete(owner.peer);
    const roomId = owner.key.slice(0, owner.key.indexOf('\n'));
    void this.#detach(handle).then(() => (publisher ? this.#destroyIfEmpty(roomId) : undefined)).catch(() => {});
  }
}
