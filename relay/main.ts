#!/usr/bin/env node
/**
 * `mesh-relay`: runs the relay from the command line. Flags and environment variables are listed
 * by `mesh-relay --help`. SIGTERM and SIGINT close it cleanly: clients get close code 1001 and
 * resume when a relay is back.
 */
import { CliError, parseRelayArgs, usage } from './cli-args.js';
import { createRoomToken } from './room-token.js';
import { RelayServer } from './relay-server.js';
import { describeOptions } from './relay-options.js';

/**
 * `mesh-relay token --room R [--name N] [--ttl 3600]`: prints a signed room token made with
 * MESH_SECRET (or --secret), for scripts and for testing a protected room by hand.
 */
function tokenCommand(argv: string[]): number {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const secret = get('--secret') ?? process.env.MESH_SECRET;
  const room = get('--room');
  const ttl = Number(get('--ttl') ?? 3600);
  if (!secret || !room || !(ttl > 0)) {
    process.stderr.write('usage: mesh-relay token --room ROOM [--name NAME] [--ttl SECONDS] (secret from MESH_SECRET or --secret)\n');
    return 2;
  }
  const name = get('--name');
  process.stdout.write(createRoomToken(secret, { room, ttlSeconds: ttl, ...(name ? { name } : {}) }) + '\n');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'token') return tokenCommand(argv.slice(1));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  let input;
  try {
    input = parseRelayArgs(argv, process.env);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`mesh-relay: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let relay: RelayServer;
  try {
    relay = new RelayServer(input);
  } catch (err) {
    process.stderr.write(`mesh-relay: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    await relay.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ` (port ${relay.options.port} is in use: stop the other process or pass --port)` : '';
    process.stderr.write(`mesh-relay: cannot listen on ${relay.options.host}:${relay.options.port}: ${e.message}${hint}\n`);
    return 1;
  }
  relay.log.info('relay listening', { url: relay.httpUrl, ws: relay.wsUrl, config: describeOptions(relay.options) });
  process.stdout.write(`mesh-relay listening on ${relay.httpUrl} (WebSocket ${relay.wsUrl})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      relay.log.info('shutting down', { signal });
      relay.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  process.stderr.write(`mesh-relay: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
