// The real system of the model-based test: a real relay on 127.0.0.1 (in memory, or on a real
// redis-server), real WebSocket clients, a stepped clock for grace periods and ages, and the
// faults the model asks for (relay restart, Redis restart, Redis freeze).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { nameKey, type ServerFrame } from '../../../core/protocol.js';
import { RelayServer } from '../../../relay/relay-server.js';
import { Logger } from '../../../relay/logger.js';
import type { RelayOptionsInput } from '../../../relay/relay-options.js';
import { WsClient } from '../../helpers/ws-client.js';
import { RedisProcess } from '../../helpers/redis-process.js';
import { SteppedClock } from '../../helpers/stepped-clock.js';
import { eventually } from '../../helpers/eventually.js';
import { MODEL_LIMITS, type ModelClient, type RoomModel } from './room-model.js';

export type Backend = 'memory' | 'redis';
export const ROOM = 'model-room';
const id = () => randomBytes(16).toString('base64url');

/** A redis-server shared by every run of one backend (flushed between runs). */
export class SharedRedis {
  readonly process = new RedisProcess();
  private admin: Redis | null = null;
  async start(): Promise<void> {
    await this.process.start();
    this.admin = new Redis(this.process.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.admin.on('error', () => {}); // Redis restarts on purpose
    await this.admin.connect();
  }
  async flush(): Promise<void> {
    if (this.admin!.status !== 'ready') {
      this.admin!.disconnect();
      this.admin = new Redis(this.process.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      this.admin.on('error', () => {});
      await this.admin.connect();
    }
    await this.admin!.flushall();
  }
  async stop(): Promise<void> {
    this.admin?.disconnect();
    await this.process.kill();
  }
}

export class RealSystem {
  readonly clock = new SteppedClock();
  readonly sockets = new Map<number, WsClient>();
  /** Error-level log lines of the relay: a handler that failed, an illegal transition. */
  readonly errors: string[] = [];
  relay!: RelayServer;
  private port = 0;

  constructor(readonly backend: Backend, readonly redis: SharedRedis | null) {}

  static async create(backend: Backend, redis: SharedRedis | null): Promise<RealSystem> {
    const real = new RealSystem(backend, redis);
    if (redis) await redis.flush();
    await real.startRelay();
    return real;
  }

  private options(): RelayOptionsInput {
    return {
      host: '127.0.0.1', port: this.port, maxMembers: MODEL_LIMITS.maxMembers, graceMs: MODEL_LIMITS.graceMs,
      replay: { ...MODEL_LIMITS.replay }, ratePerSecond: 1e6, rateBurst: 1e6, connectionBurst: 1e6,
      ...(this.backend === 'redis' ? { redis: this.redis!.process.url, redisTimeoutMs: 1000, nodeTtlMs: 3000, sweepIntervalMs: 20 } : {}),
    };
  }

  private async startRelay(): Promise<void> {
    const log = new Logger('error', (line) => this.errors.push(line));
    this.relay = new RelayServer(this.options(), { log, clock: this.clock });
    await this.relay.listen();
    this.port = this.relay.address().port;
    if (this.backend === 'redis') await eventually(() => this.relay.backend.healthy, 5000, 'the relay reaches Redis');
  }

  async restartRelay(): Promise<void> {
    await this.relay.close();
    await this.startRelay();
  }

  /** A fresh socket for `c` (its identity set), replacing any earlier one. */
  async connect(c: ModelClient): Promise<WsClient> {
    this.sockets.get(c.id)?.terminate();
    const ws = await WsClient.connect(this.relay.wsUrl);
    Object.assign(ws, { peerId: c.peerId, key: c.key, session: c.session });
    this.sockets.set(c.id, ws);
    return ws;
  }

  socket(c: ModelClient): WsClient {
    const ws = this.sockets.get(c.id);
    assert.ok(ws, `client ${c.id} has a socket`);
    return ws;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    await this.relay.close();
  }

  /**
   * Waits until the relay's view of the room matches the model, and checks the invariants:
   * the room exists exactly while it has members; online members are exactly the model's open
   * clients; names unique by look-alike key; nobody listed twice; one sequence; the buffer holds
   * what the bounds allow; no local room left without a socket; no error logged.
   */
  async settle(model: RoomModel, what: string): Promise<void> {
    let last = '';
    await eventually(async () => {
      for (const c of model.onlineClients()) {
        const gone = this.sockets.get(c.id)?.closeInfo;
        if (gone) throw new Error(`${c.name}'s socket was closed (${gone.code} ${gone.reason}) while the model has it joined`);
      }
      const view = await this.relay.backend.view(ROOM);
      last = JSON.stringify(view);
      if (model.epoch === null) return view === null;
      if (!view || view.epoch !== model.epoch || view.lastSeq !== model.seq) return false;
      const ids = view.members.map((m) => m.id);
      if (new Set(ids).size !== ids.length) throw new Error(`a member is listed twice: ${last}`);
      const keys = view.members.map((m) => nameKey(m.name));
      if (new Set(keys).size !== keys.length) throw new Error(`two members with look-alike names: ${last}`);
      if (ids.length !== model.members.size) return false;
      for (const m of view.members) {
        const expected = model.members.get(m.id);
        if (!expected || expected.online !== m.online) return false;
      }
      const window = model.window(this.clock.now());
      return view.buffer.messages === window.length && (window.length === 0 || view.buffer.firstSeq === window[0].seq);
    }, 5000, () => `the relay to match the model after ${what}: model ${JSON.stringify({ epoch: model.epoch, seq: model.seq, members: [...model.members.values()] })}, relay ${last}`);
    const expectedRooms = this.backend === 'memory' ? (model.epoch === null ? 0 : 1) : (model.onlineClients().length > 0 ? 1 : 0);
    await eventually(() => this.relay.backend.stats().rooms === expectedRooms, 3000, () => `${expectedRooms} local room(s) after ${what}, not ${this.relay.backend.stats().rooms}`);
    assert.deepEqual(this.errors, [], 'the relay logged no error');
  }
}

/** The frames of a join: the welcome, the replayed messages, and `synced` (or the refusal). */
export async function joinFrames(ws: WsClient, frame: unknown): Promise<{ error: string } | { welcome: Extract<ServerFrame, { type: 'welcome' }>; replay: number[]; synced: Extract<ServerFrame, { type: 'synced' }> }> {
  ws.send(frame);
  const first = await ws.next((f) => f.type === 'welcome' || f.type === 'error', 5000, 'welcome or error');
  if (first.type === 'error') return { error: first.code };
  const synced = await ws.type('synced', 5000);
  const a = ws.frames.indexOf(first);
  const b = ws.frames.indexOf(synced);
  const replay = ws.frames.slice(a + 1, b).filter((f) => f.type === 'message').map((f) => (f as { seq: number }).seq);
  return { welcome: first as Extract<ServerFrame, { type: 'welcome' }>, replay, synced };
}

export const freshIdentity = () => ({ peerId: id(), key: id(), session: id() });
