import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks; released before returning). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * A real coturn (`turnserver`) on 127.0.0.1 with the REST-API shared secret, as
 * ../shared/TESTING.md describes; `extra` adds flags (e.g. a short allocation lifetime).
 */
export class Coturn {
  private child: ChildProcess | null = null;
  port = 0;
  output = '';

  constructor(readonly secret: string, private readonly extra: string[] = []) {}

  get url(): string { return `turn:127.0.0.1:${this.port}?transport=udp`; }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn('turnserver', [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${this.port}`,
      '--use-auth-secret', `--static-auth-secret=${this.secret}`, '--realm=test', '--no-tls', '--no-dtls',
      '--allow-loopback-peers', '--no-cli', '--log-file=stdout', '--simple-log', '--verbose', ...this.extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${this.output.slice(-2000)}`)), 10_000);
      const onData = (c: Buffer) => {
        this.output = (this.output + c.toString()).slice(-200_000);
        if (/listener opened on\s*:?\s*127\.0\.0\.1/i.test(this.output) || /Total (UDP|General) servers/i.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`coturn exited with ${code}:\n${this.output.slice(-2000)}`)); });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
