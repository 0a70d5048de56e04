import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/relay/main.js', import.meta.url));

export interface RelayProcessOptions {
  /** Port to bind; 0 picks a free one on first start (restarts reuse it). */
  port?: number;
  /** Extra CLI flags, e.g. ['--grace-ms', '2000']. */
  args?: string[];
  env?: Record<string, string>;
}

/**
 * The built relay (`dist/relay/main.js`) as a real child process on 127.0.0.1, for tests that
 * kill and restart it. `kill()` is a SIGKILL by default: a crash, not a clean shutdown.
 */
export class RelayProcess {
  port: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  output = '';
  /** How the last run ended: its exit code, or the signal that ended it (null while running). */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(private readonly options: RelayProcessOptions = {}) {
    this.port = options.port ?? 0;
  }

  get wsUrl(): string { return `ws://127.0.0.1:${this.port}/ws`; }
  get httpUrl(): string { return `http://127.0.0.1:${this.port}`; }
  get running(): boolean { return this.child !== null; }

  /** Starts the relay and resolves once it listens (the port is then known). */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(process.execPath, [MAIN, '--host', '127.0.0.1', '--port', String(this.port), '--log-level', 'warn', ...(this.options.args ?? [])], {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.lastExit = null;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => { this.lastExit = { code, signal }; resolve(); }));
    child.once('exit', () => { if (this.child === child) this.child = null; });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start within 10 s:\n${this.output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        this.output = (this.output + chunk.toString()).slice(-20_000);
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => { this.output = (this.output + c.toString()).slice(-20_000); });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`relay exited with ${code} before listening:\n${this.output}`));
      });
    });
  }

  /** Stops the relay: SIGKILL (a crash) by default, or SIGTERM (a clean shutdown). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    await this.exited;
    this.child = null;
  }

  /** Kills and starts again on the same port. */
  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(signal);
    await this.start();
  }
}
