import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './coturn.js';

/** A real redis-server on 127.0.0.1 without persistence (a restart loses everything, on purpose). */
export class RedisProcess {
  port = 0;
  private child: ChildProcess | null = null;
  output = '';

  get url(): string { return `redis://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${this.output}`)), 10_000);
      const onData = (c: Buffer) => {
        this.output = (this.output + c.toString()).slice(-20_000);
        if (/Ready to accept connections/.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}):\n${this.output}`)); });
    });
  }

  /** Stops it (SIGKILL: a crash); its data is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.output = '';
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen process go on (SIGCONT). */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
}
