import type { LogLevel, RelayOptionsInput, StaticMount } from './relay-options.js';

/** One command-line flag, its environment variable and how it maps onto the options. */
interface Flag {
  flag: string;
  env: string;
  help: string;
  /** A switch: `--flag` alone means true. */
  boolean?: true;
  apply(o: RelayOptionsInput, value: string): void;
}

const num = (flag: string, value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag} expects a number, got "${value}"`);
  return n;
};

function parseStatic(value: string): StaticMount[] {
  return value.split(',').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    if (eq < 1) throw new CliError(`--static expects PREFIX=DIR (e.g. /=demo), got "${part}"`);
    const prefix = part.slice(0, eq);
    if (!prefix.startsWith('/')) throw new CliError(`--static prefix must start with "/", got "${prefix}"`);
    return { prefix, dir: part.slice(eq + 1) };
  });
}

export class CliError extends Error {}

const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
function bool(flag: string, v: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new CliError(`${flag} expects true or false, got "${v}"`);
}

export const FLAGS: Flag[] = [
  { flag: '--port', env: 'PORT', help: 'TCP port (0 = any free port). Default 8787.', apply: (o, v) => { o.port = num('--port', v); } },
  { flag: '--host', env: 'HOST', help: 'Interface to bind. Default 127.0.0.1.', apply: (o, v) => { o.host = v; } },
  { flag: '--grace-ms', env: 'MESH_GRACE_MS', help: 'Keep a dropped member this long before announcing it left. Default 30000.', apply: (o, v) => { o.graceMs = num('--grace-ms', v); } },
  { flag: '--max-members', env: 'MESH_MAX_MEMBERS', help: 'Members per room. Default 8.', apply: (o, v) => { o.maxMembers = num('--max-members', v); } },
  { flag: '--max-rooms', env: 'MESH_MAX_ROOMS', help: 'Rooms per relay. Default 10000.', apply: (o, v) => { o.maxRooms = num('--max-rooms', v); } },
  { flag: '--replay-messages', env: 'MESH_REPLAY_MESSAGES', help: 'Messages kept per room for replay. Default 50.', apply: (o, v) => { o.replay = { ...o.replay, maxMessages: num('--replay-messages', v) }; } },
  { flag: '--replay-bytes', env: 'MESH_REPLAY_BYTES', help: 'Bytes kept per room for replay. Default 1048576.', apply: (o, v) => { o.replay = { ...o.replay, maxBytes: num('--replay-bytes', v) }; } },
  { flag: '--replay-age-ms', env: 'MESH_REPLAY_AGE_MS', help: 'Age after which messages leave the replay buffer. Default 300000.', apply: (o, v) => { o.replay = { ...o.replay, maxAgeMs: num('--replay-age-ms', v) }; } },
  { flag: '--max-frame-bytes', env: 'MESH_MAX_FRAME_BYTES', help: 'Largest frame accepted. Default 65536.', apply: (o, v) => { o.maxFrameBytes = num('--max-frame-bytes', v); } },
  { flag: '--max-buffer-bytes', env: 'MESH_MAX_BUFFER_BYTES', help: 'Replay bytes across all rooms; past it the oldest messages go first. Default 268435456.', apply: (o, v) => { o.maxBufferBytes = num('--max-buffer-bytes', v); } },
  { flag: '--max-socket-buffer-bytes', env: 'MESH_MAX_SOCKET_BUFFER_BYTES', help: 'Bytes queued for a client that does not read; past it the socket closes (4009). Default 4194304.', apply: (o, v) => { o.maxSocketBufferBytes = num('--max-socket-buffer-bytes', v); } },
  { flag: '--max-message-bytes', env: 'MESH_MAX_MESSAGE_BYTES', help: 'Largest room message data. Default 32768.', apply: (o, v) => { o.maxMessageBytes = num('--max-message-bytes', v); } },
  { flag: '--heartbeat-ms', env: 'MESH_HEARTBEAT_MS', help: 'Send an idle member a beat after this long; clients give up on a relay silent for two intervals. 0 = off. Default 2000.', apply: (o, v) => { o.heartbeatMs = num('--heartbeat-ms', v); } },
  { flag: '--static', env: 'MESH_STATIC', help: 'Serve directories: PREFIX=DIR[,PREFIX=DIR] (repeatable). Default none.', apply: (o, v) => { o.static = [...(o.static ?? []), ...parseStatic(v)]; } },
  { flag: '--allowed-origins', env: 'MESH_ALLOWED_ORIGINS', help: 'Page origins allowed: origins, self, localhost or * (comma-separated). Default self,localhost.', apply: (o, v) => { o.allowedOrigins = list(v); } },
  { flag: '--public-origin', env: 'MESH_PUBLIC_ORIGIN', help: 'Origins the relay\'s own pages are served from (what "self" allows), comma-separated. Default: the bound address.', apply: (o, v) => { o.publicOrigins = list(v); } },
  { flag: '--secret', env: 'MESH_SECRET', help: 'Require signed room tokens made with this secret (16+ characters). Default off.', apply: (o, v) => { o.secret = v; } },
  { flag: '--rate', env: 'MESH_RATE', help: 'Frames per second per connection, sustained. Default 50.', apply: (o, v) => { o.ratePerSecond = num('--rate', v); } },
  { flag: '--rate-burst', env: 'MESH_RATE_BURST', help: 'Frames per connection in a burst. Default 200.', apply: (o, v) => { o.rateBurst = num('--rate-burst', v); } },
  { flag: '--connection-rate', env: 'MESH_CONNECTION_RATE', help: 'New connections per second per address. Default 20 (burst 100).', apply: (o, v) => { o.connectionsPerSecond = num('--connection-rate', v); } },
  { flag: '--connection-burst', env: 'MESH_CONNECTION_BURST', help: 'New connections per address in a burst. Default 100.', apply: (o, v) => { o.connectionBurst = num('--connection-burst', v); } },
  { flag: '--max-connections-per-address', env: 'MESH_MAX_CONNECTIONS_PER_ADDRESS', help: 'WebSockets open at once per address (IPv6: per /64). Default 256.', apply: (o, v) => { o.maxConnectionsPerAddress = num('--max-connections-per-address', v); } },
  { flag: '--http-rate', env: 'MESH_HTTP_RATE', help: 'HTTP requests per second per address (files and endpoints; not /healthz, /metrics). Default 50.', apply: (o, v) => { o.httpRatePerSecond = num('--http-rate', v); } },
  { flag: '--http-burst', env: 'MESH_HTTP_BURST', help: 'HTTP requests per address in a burst. Default 500.', apply: (o, v) => { o.httpRateBurst = num('--http-burst', v); } },
  { flag: '--trust-proxy', env: 'MESH_TRUST_PROXY', help: 'Client address from X-Forwarded-For (behind a reverse proxy). Default false.', boolean: true, apply: (o, v) => { o.trustProxy = bool('--trust-proxy', v); } },
  { flag: '--turn-secret', env: 'MESH_TURN_SECRET', help: 'TURN static-auth-secret (coturn REST API). Default none.', apply: (o, v) => { o.turnSecret = v; } },
  { flag: '--open-turn', env: 'MESH_OPEN_TURN', help: 'Hand out TURN credentials without --secret (anyone reaching the relay may use your TURN server). Default false.', boolean: true, apply: (o, v) => { o.openTurn = bool('--open-turn', v); } },
  { flag: '--turn-urls', env: 'MESH_TURN_URLS', help: 'TURN URLs for clients, comma-separated. Default none.', apply: (o, v) => { o.turnUrls = list(v); } },
  { flag: '--turn-ttl', env: 'MESH_TURN_TTL', help: 'TURN credential lifetime, s (clients refresh at half). Default 3600.', apply: (o, v) => { o.turnTtlSeconds = num('--turn-ttl', v); } },
  { flag: '--stun-urls', env: 'MESH_STUN_URLS', help: 'STUN URLs for clients, comma-separated. Default none.', apply: (o, v) => { o.stunUrls = list(v); } },
  { flag: '--redis', env: 'MESH_REDIS_URL', help: 'redis://host:port: share rooms with every relay node using this Redis. Default: rooms in memory.', apply: (o, v) => { o.redis = v; } },
  { flag: '--node-ttl-ms', env: 'MESH_NODE_TTL_MS', help: 'With --redis: a node silent this long counts as dead. Default 15000.', apply: (o, v) => { o.nodeTtlMs = num('--node-ttl-ms', v); } },
  { flag: '--redis-timeout-ms', env: 'MESH_REDIS_TIMEOUT_MS', help: 'With --redis: a command unanswered this long fails and the store counts as down. Default 2000.', apply: (o, v) => { o.redisTimeoutMs = num('--redis-timeout-ms', v); } },
  { flag: '--sweep-interval-ms', env: 'MESH_SWEEP_INTERVAL_MS', help: 'With --redis: how often to end grace periods that ran out. Default min(1000, grace/3).', apply: (o, v) => { o.sweepIntervalMs = num('--sweep-interval-ms', v); } },
  { flag: '--sfu-url', env: 'MESH_SFU_URL', help: 'Janus WebSocket API (ws://127.0.0.1:8188) for rooms in SFU mode; keep it on loopback or a private network. Default none.', apply: (o, v) => { o.sfuUrl = v; } },
  { flag: '--sfu-api-secret', env: 'MESH_SFU_API_SECRET', help: 'Janus api_secret. Default none.', apply: (o, v) => { o.sfuApiSecret = v; } },
  { flag: '--sfu-admin-key', env: 'MESH_SFU_ADMIN_KEY', help: 'Janus VideoRoom admin_key, if room creation needs it. Default none.', apply: (o, v) => { o.sfuAdminKey = v; } },
  { flag: '--mesh-limit', env: 'MESH_MESH_LIMIT', help: 'With --sfu-url: rooms in auto mode move their media to the SFU past this many members. Default 6.', apply: (o, v) => { o.meshLimit = num('--mesh-limit', v); } },
  { flag: '--log-level', env: 'LOG_LEVEL', help: 'debug | info | warn | error | silent. Default info.', apply: (o, v) => {
    if (!['debug', 'info', 'warn', 'error', 'silent'].includes(v)) throw new CliError(`--log-level expects debug|info|warn|error|silent, got "${v}"`);
    o.logLevel = v as LogLevel;
  } },
];

/**
 * Reads options from environment variables, then from flags (flags win). Accepts `--flag value`
 * and `--flag=value`. Throws {@link CliError} with a message meant for the person typing.
 */
export function parseRelayArgs(argv: string[], env: Record<string, string | undefined>): RelayOptionsInput {
  const o: RelayOptionsInput = {};
  for (const f of FLAGS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') f.apply(o, v);
  }
  const fromFlags: RelayOptionsInput = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') && arg.startsWith('--') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const f = FLAGS.find((x) => x.flag === name);
    if (!f) throw new CliError(`unknown option "${arg}" (see --help)`);
    const switchAlone = f.boolean && inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'));
    const value = switchAlone ? 'true' : inline ?? argv[++i];
    if (value === undefined) throw new CliError(`${name} needs a value`);
    f.apply(fromFlags, value);
  }
  // A --static flag replaces MESH_STATIC rather than adding to it.
  return { ...o, ...fromFlags, replay: { ...o.replay, ...fromFlags.replay } };
}

export function usage(): string {
  const rows = FLAGS.map((f) => `  ${(f.flag + ' (' + f.env + ')').padEnd(44)} ${f.help}`);
  return [
    'Usage: mesh-relay [options]',
    '       mesh-relay token --room ROOM [--name NAME] [--ttl SECONDS]   (prints a room token; secret from MESH_SECRET)',
    '', 'Options (environment variable in brackets; flags win):', ...rows, '  --help'.padEnd(46) + ' Show this help.',
  ].join('\n');
}
