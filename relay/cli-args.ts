import type { LogLevel, RelayOptionsInput, StaticMount } from './relay-options.js';

/** One command-line flag, its environment variable and how it maps onto the options. */
interface Flag {
  flag: string;
  env: string;
  help: string;
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
  { flag: '--max-message-bytes', env: 'MESH_MAX_MESSAGE_BYTES', help: 'Largest room message data. Default 32768.', apply: (o, v) => { o.maxMessageBytes = num('--max-message-bytes', v); } },
  { flag: '--static', env: 'MESH_STATIC', help: 'Serve directories: PREFIX=DIR[,PREFIX=DIR] (repeatable). Default none.', apply: (o, v) => { o.static = [...(o.static ?? []), ...parseStatic(v)]; } },
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
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CliError(`${name} needs a value`);
    f.apply(fromFlags, value);
  }
  // A --static flag replaces MESH_STATIC rather than adding to it.
  return { ...o, ...fromFlags, replay: { ...o.replay, ...fromFlags.replay } };
}

export function usage(): string {
  const rows = FLAGS.map((f) => `  ${(f.flag + ' (' + f.env + ')').padEnd(44)} ${f.help}`);
  return ['Usage: mesh-relay [options]', '', 'Options (environment variable in brackets; flags win):', ...rows, '  --help'.padEnd(46) + ' Show this help.'].join('\n');
}
