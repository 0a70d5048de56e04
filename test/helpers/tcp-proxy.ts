import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server, for fault injection without touching the
 * network: `blackhole()` keeps sockets open but stops moving bytes (a half-open connection as
 * both ends see it) — or only the server's replies, with `blackhole('replies')` —, `cut()` resets
 * every connection, `slowReplies()` holds back the server's answers on the connections that sent
 * a given request (a server slow for one client), `heal()` restores normal service.
 */
export class TcpProxy {
  private server: net.Server;
  private pairs = new Set<[net.Socket, net.Socket]>();
  private holed: 'none' | 'both' | 'replies' = 'none';
  private refusing = false;
  private slow: { ms: number; marker: string } | null = null;
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  get wsUrl(): string { return `ws://127.0.0.1:${this.port}/ws`; }

  /** Stops moving bytes: both ways, or only the server's (requests still arrive, answers are lost). */
  blackhole(which: 'both' | 'replies' = 'both'): void { this.holed = which; }
  /** New connections are reset at once (a relay that is down). */
  refuse(on = true): void { this.refusing = on; }
  /**
   * From now on, a connection whose request contains `marker` gets every later answer `ms` late
   * (in order): on that connection the server seems slow, the others are untouched.
   */
  slowReplies(ms: number, marker: string): void { this.slow = { ms, marker }; }
  heal(): void { this.holed = 'none'; this.refusing = false; this.slow = null; }

  cut(): void {
    for (const [a, b] of this.pairs) { a.destroy(); b.destroy(); }
    this.pairs.clear();
  }

  get connections(): number { return this.pairs.size; }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onClient(client: net.Socket): void {
    if (this.refusing) { client.resetAndDestroy(); return; }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    let slowMs = 0;
    let queue = Promise.resolve();
    const pipe = (from: net.Socket, to: net.Socket, reply: boolean) => {
      from.on('data', (chunk: Buffer) => {
        if (!reply && this.slow && chunk.includes(this.slow.marker)) slowMs = this.slow.ms;
        if (!(this.holed === 'none' || (this.holed === 'replies' && !reply))) return;
        if (!reply || slowMs === 0) return void to.write(chunk);
        const due = Date.now() + slowMs;
        queue = queue.then(() => new Promise<void>((r) => setTimeout(r, due - Date.now()))).then(() => { if (!to.destroyed) to.write(chunk); });
      });
    };
    pipe(client, upstream, false);
    pipe(upstream, client, true);
    const end = () => { client.destroy(); upstream.destroy(); this.pairs.delete(pair); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
