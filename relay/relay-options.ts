/**
 * Relay configuration: every option with its default. The CLI (`cli-args.ts`) and environment
 * variables map onto this object one to one.
 */

/** A directory served over HTTP under a URL prefix. */
export interface StaticMount {
  /** URL path prefix, e.g. `/` or `/dist`. */
  prefix: string;
  /** Directory on disk. */
  dir: string;
}

export interface ReplayLimits {
  /** Messages kept per room. Default 50 (as in the seeds). */
  maxMessages: number;
  /** Bytes of message data kept per room. Default 1 MiB. */
  maxBytes: number;
  /** Age after which a message is dropped, ms. Default 300_000 (5 minutes, as in the seeds). */
  maxAgeMs: number;
}

export interface RelayOptions {
  /** TCP port; 0 lets the OS choose. Default 8787. */
  port: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host: string;
  /** How long a member whose socket dropped is kept before others are told it left, ms. Default 30_000. */
  graceMs: number;
  /** Members per room, counting those in their grace period. Default 8. */
  maxMembers: number;
  /** Rooms on this relay. Default 10_000. */
  maxRooms: number;
  /** Replay buffer bounds per room. */
  replay: ReplayLimits;
  /** Frames above this size get a `frame-too-large` error frame, bytes. Default 64 KiB. */
  maxFrameBytes: number;
  /** Frames above this size close the socket (code 1009) before they are read, bytes. Default 4 MiB. */
  hardMaxFrameBytes: number;
  /** Largest room message data, bytes. Default 32 KiB (the protocol maximum). */
  maxMessageBytes: number;
  /** A socket must send `join` within this time, ms. Default 10_000. */
  joinTimeoutMs: number;
  /** WebSocket-level ping interval used to find dead sockets, ms. Default 30_000. */
  pingIntervalMs: number;
  /**
   * A member sent nothing for this long gets a tiny `beat` frame; clients presume the relay gone
   * after two beat intervals of silence (a black hole is noticed within 5 s). 0 turns beats off.
   * Default 2000 (at 10,000 idle members: 5,000 beats/s, about 3.5 % of one core).
   */
  heartbeatMs: number;
  /** Replay bytes held across every room of this relay; past it the oldest messages go first. Default 256 MiB. */
  maxBufferBytes: number;
  /**
   * Bytes queued for one client that does not read them; past it the client is closed with 4009
   * and resumes later. Must hold a whole catch-up (replay bytes + framing). Default 4 MiB.
   */
  maxSocketBufferBytes: number;
  /** WebSocket connections open at once from one address (an IPv6 /64 counts as one). Default 256. */
  maxConnectionsPerAddress: number;
  /** HTTP requests per second from one address to the relay's endpoints and files (sustained). Default 50. */
  httpRatePerSecond: number;
  /** HTTP requests from one address in a burst. Default 500. */
  httpRateBurst: number;
  /** Directories served over HTTP. Default none. */
  static: StaticMount[];
  /** `debug` | `info` | `warn` | `error` | `silent`. Default `info`. */
  logLevel: LogLevel;
  /** Page origins allowed: exact origins, `self`, `localhost`, `*`. Default `['self', 'localhost']`. */
  allowedOrigins: string[];
  /**
   * The origins this relay's pages are served from (`https://chat.example.org`), which `self`
   * in `allowedOrigins` stands for, besides the bound address itself. The Host header is never
   * trusted for this (DNS rebinding). Default none.
   */
  publicOrigins: string[];
  /** Secret for signed room tokens; when set, every join needs a valid token. Default none. */
  secret: string | null;
  /** Frames per second one connection may send (sustained). Default 50. */
  ratePerSecond: number;
  /** Frames one connection may send in a burst. Default 200. */
  rateBurst: number;
  /** New WebSocket connections per second from one address (sustained). Default 20. */
  connectionsPerSecond: number;
  /** New connections from one address in a burst. Default 100. */
  connectionBurst: number;
  /** Refused frames (limits, invalid input) tolerated per connection before it is closed (4008). Default 100. */
  maxStrikes: number;
  /** Take the client address from the last X-Forwarded-For hop (behind a reverse proxy). Default false. */
  trustProxy: boolean;
  /** TURN shared secret (coturn `static-auth-secret`). Needs `secret`, or `openTurn`. Default none. */
  turnSecret: string | null;
  /**
   * Hand out TURN credentials without room tokens: anyone who can reach the relay can then use
   * your TURN server. Logged loudly at start-up. Default false.
   */
  openTurn: boolean;
  /** TURN URLs handed to clients. Default none. */
  turnUrls: string[];
  /** Lifetime of TURN credentials, s. Default 3600. */
  turnTtlSeconds: number;
  /** STUN URLs handed to clients. Default none (loopback and LAN need none). */
  stunUrls: string[];
  /** Redis URL (`redis://host:port`): rooms shared by every relay node using it. Default none (in memory). */
  redis: string | null;
  /** With Redis: a node silent this long is dead and its members' grace periods start, ms. Default 15_000. */
  nodeTtlMs: number;
  /** With Redis: a command not answered within this time fails, and the store counts as down until it answers again, ms. Default 2000. */
  redisTimeoutMs: number;
  /** With Redis: how often a node ends grace periods that ran out and those of dead nodes, ms. Default min(1000, graceMs / 3). */
  sweepIntervalMs: number | null;
  /**
   * Janus's WebSocket API (`ws://127.0.0.1:8188`): media of rooms in SFU mode goes through its
   * VideoRoom, which the relay drives for the members. Keep Janus's API on loopback or a private
   * network: only the relay talks to it. Default none (no SFU: rooms stay a mesh).
   */
  sfuUrl: string | null;
  /** Janus's `api_secret`, if it has one; never sent to a browser. Default none. */
  sfuApiSecret: string | null;
  /** Janus VideoRoom's `admin_key`, if room creation needs one. Default none. */
  sfuAdminKey: string | null;
  /**
   * With an SFU: rooms in `auto` mode move their media to it once they have more than this many
   * members (and stay there until they empty). Raise `maxMembers` (up to 50) for larger rooms. Default 6.
   */
  meshLimit: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  port: 8787,
  host: '127.0.0.1',
  graceMs: 30_000,
  maxMembers: 8,
  maxRooms: 10_000,
  replay: { maxMessages: 50, maxBytes: 1024 * 1024, maxAgeMs: 5 * 60_000 },
  maxFrameBytes: 64 * 1024,
  hardMaxFrameBytes: 4 * 1024 * 1024,
  maxMessageBytes: 32 * 1024,
  joinTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  heartbeatMs: 2000,
  maxBufferBytes: 256 * 1024 * 1024,
  maxSocketBufferBytes: 4 * 1024 * 1024,
  maxConnectionsPerAddress: 256,
  httpRatePerSecond: 50,
  httpRateBurst: 500,
  static: [],
  logLevel: 'info',
  allowedOrigins: ['self', 'localhost'],
  publicOrigins: [],
  secret: null,
  ratePerSecond: 50,
  rateBurst: 200,
  connectionsPerSecond: 20,
  connectionBurst: 100,
  maxStrikes: 100,
  trustProxy: false,
  turnSecret: null,
  openTurn: false,
  turnUrls: [],
  turnTtlSeconds: 3600,
  stunUrls: [],
  redis: null,
  nodeTtlMs: 15_000,
  redisTimeoutMs: 2000,
  sweepIntervalMs: null,
  sfuUrl: null,
  sfuApiSecret: null,
  sfuAdminKey: null,
  meshLimit: 6,
};

/** Options as a caller may give them: every field optional, `replay` merged field by field. */
export type RelayOptionsInput = Partial<Omit<RelayOptions, 'replay'>> & { replay?: Partial<ReplayLimits> };

export function resolveRelayOptions(input: RelayOptionsInput = {}): RelayOptions {
  const o: RelayOptions = {
    ...DEFAULT_RELAY_OPTIONS,
    ...input,
    replay: { ...DEFAULT_RELAY_OPTIONS.replay, ...input.replay },
    static: input.static ?? [],
    allowedOrigins: input.allowedOrigins ?? DEFAULT_RELAY_OPTIONS.allowedOrigins,
    publicOrigins: (input.publicOrigins ?? []).map((x) => x.toLowerCase().replace(/\/+$/, '')),
    turnUrls: input.turnUrls ?? [],
    stunUrls: input.stunUrls ?? [],
  };
  const positive: Array<[string, number]> = [
    ['graceMs', o.graceMs], ['maxMembers', o.maxMembers], ['maxRooms', o.maxRooms],
    ['maxFrameBytes', o.maxFrameBytes], ['hardMaxFrameBytes', o.hardMaxFrameBytes],
    ['maxMessageBytes', o.maxMessageBytes], ['joinTimeoutMs', o.joinTimeoutMs],
    ['pingIntervalMs', o.pingIntervalMs], ['maxBufferBytes', o.maxBufferBytes], ['maxSocketBufferBytes', o.maxSocketBufferBytes],
    ['maxConnectionsPerAddress', o.maxConnectionsPerAddress], ['httpRatePerSecond', o.httpRatePerSecond], ['httpRateBurst', o.httpRateBurst],
    ['redisTimeoutMs', o.redisTimeoutMs],
    ['replay.maxMessages', o.replay.maxMessages], ['replay.maxBytes', o.replay.maxBytes],
    ['replay.maxAgeMs', o.replay.maxAgeMs], ['ratePerSecond', o.ratePerSecond], ['rateBurst', o.rateBurst],
    ['connectionsPerSecond', o.connectionsPerSecond], ['connectionBurst', o.connectionBurst],
    ['maxStrikes', o.maxStrikes], ['turnTtlSeconds', o.turnTtlSeconds], ['nodeTtlMs', o.nodeTtlMs], ['meshLimit', o.meshLimit],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`relay option ${name} must be a positive number, got ${value}`);
  }
  if (!(o.heartbeatMs >= 0) || !Number.isFinite(o.heartbeatMs)) throw new TypeError(`relay option heartbeatMs must be 0 (off) or a positive number, got ${o.heartbeatMs}`);
  if (o.sweepIntervalMs !== null && !(o.sweepIntervalMs > 0)) throw new TypeError(`relay option sweepIntervalMs must be a positive number, got ${o.sweepIntervalMs}`);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new TypeError(`relay option port must be 0–65535, got ${o.port}`);
  if (o.hardMaxFrameBytes < o.maxFrameBytes) throw new TypeError('hardMaxFrameBytes must be >= maxFrameBytes');
  if (o.turnUrls.length > 0 && !o.turnSecret) throw new TypeError('turnUrls need turnSecret (the TURN server\'s static-auth-secret)');
  if (o.turnSecret && !o.secret && !o.openTurn) {
    throw new TypeError('turnSecret without secret would hand TURN credentials to anyone who can reach the relay: set secret (room tokens), or openTurn to accept that');
  }
  const catchUp = o.replay.maxBytes + o.replay.maxMessages * 512 + 64 * 1024;
  if (o.maxSocketBufferBytes < catchUp) {
    throw new TypeError(`maxSocketBufferBytes (${o.maxSocketBufferBytes}) must hold a whole catch-up: at least replay.maxBytes + 512 per replayed message + 64 KiB = ${catchUp}`);
  }
  for (const origin of o.publicOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) throw new TypeError(`publicOrigins entries are origins like https://chat.example.org, got "${origin}"`);
  }
  if (o.secret !== null && o.secret.length < 16) throw new TypeError('secret must be at least 16 characters');
  if (o.maxMembers > 50) throw new TypeError(`maxMembers is at most 50 (a room past the mesh moves its media to the SFU; larger rooms need another design), got ${o.maxMembers}`);
  if (o.sfuUrl !== null && !/^wss?:\/\/[^/]+/.test(o.sfuUrl)) throw new TypeError(`sfuUrl is Janus's WebSocket API, like ws://127.0.0.1:8188, got "${o.sfuUrl}"`);
  return o;
}

/**
 * The budget of one connection for signals and `sfu` frames, beside its frame rate: sized by the
 * room limit, since a newcomer to a full room offers a link to every member and subscribes to
 * every publisher at once (about 12 frames per member, trickled candidates included).
 */
export function setupFrameRate(o: Pick<RelayOptions, 'ratePerSecond' | 'rateBurst' | 'maxMembers'>): { perSecond: number; burst: number } {
  return { perSecond: Math.max(o.ratePerSecond, 4 * o.maxMembers), burst: Math.max(o.rateBurst, 12 * o.maxMembers) };
}

/** The options as printed at start-up: secrets masked. */
export function describeOptions(o: RelayOptions): Record<string, unknown> {
  return { ...o, secret: o.secret ? '***' : null, turnSecret: o.turnSecret ? '***' : null, sfuApiSecret: o.sfuApiSecret ? '***' : null, sfuAdminKey: o.sfuAdminKey ? '***' : null, redis: o.redis ? o.redis.replace(/\/\/[^@/]*@/, '//***@') : null };
}
