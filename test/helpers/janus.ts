import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './coturn.js';

const LIB = '/usr/lib/x86_64-linux-gnu/janus';
const PLUGINS = ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom', 'videocall', 'voicemail'];
const TRANSPORTS = ['http', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq'];

/**
 * A real Janus (Debian's `janus`, 1.1) with a config folder of its own, as ../shared/TESTING.md
 * describes: only VideoRoom and the WebSocket API (on 127.0.0.1, a free port), an API secret and a
 * VideoRoom admin key, ICE only on the test namespace's veth end `v0` (192.0.2.10: with only `lo`
 * Janus gathers no candidate, see test/helpers/netns-veth.sh). `stop()` ends it and removes the
 * folder; `start()` again brings it back on the same port (a restart, as after a crash).
 */
export class Janus {
  readonly apiSecret = 'test-janus-api-secret';
  readonly adminKey = 'test-videoroom-admin-key';
  port = 0;
  output = '';
  #child: ChildProcess | null = null;
  #dir: string | null = null;

  get url(): string { return `ws://127.0.0.1:${this.port}`; }
  /** The running process's id (for CPU figures), or null. */
  get pid(): number | null { return this.#child?.pid ?? null; }

  /** Relay flags that point at this Janus. */
  get relayArgs(): string[] { return ['--sfu-url', this.url, '--sfu-api-secret', this.apiSecret, '--sfu-admin-key', this.adminKey]; }

  async start(): Promise<void> {
    if (this.#child) return;
    if (!this.port) this.port = await freePort();
    const dir = (this.#dir ??= mkdtempSync(join(tmpdir(), 'janus-')));
    const so = (names: string[]) => names.map((n) => `libjanus_${n}.so`).join(',');
    writeFileSync(join(dir, 'janus.jcfg'), `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 4
  api_secret = "${this.apiSecret}"
  session_timeout = 60
}
media: { rtp_port_range = "40000-40999" }
nat: { ice_enforce_list = "v0" }
plugins: { disable = "${so(PLUGINS)}" }
transports: { disable = "${so(TRANSPORTS)}" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
`);
    writeFileSync(join(dir, 'janus.transport.websockets.jcfg'), `general: { json = "plain" ws = true ws_port = ${this.port} ws_ip = "127.0.0.1" wss = false }
admin: { admin_ws = false }
`);
    writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), `general: { admin_key = "${this.adminKey}" lock_rtp_forward = true }\n`);
    const child = spawn('janus', ['-F', dir, '-C', join(dir, 'janus.jcfg'), '-o'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.once('exit', () => { if (this.#child === child) this.#child = null; });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Janus did not start within 15 s:\n${this.output.slice(-3000)}`)), 15_000);
      const onData = (c: Buffer) => {
        this.output = (this.output + c.toString()).slice(-200_000);
        if (new RegExp(`websockets server started \\(port ${this.port}\\)`, "i").test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Janus exited with ${code}:\n${this.output.slice(-3000)}`)); });
    });
  }

  /** Stops Janus (SIGKILL with `crash`, as a crash would). The config folder stays for a restart until `close()`. */
  async stop(crash = false): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(crash ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops Janus and removes its folder. Idempotent. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }
}
