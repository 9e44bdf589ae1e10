import net from 'node:net';

/** How the proxy treats connections: forward, forward late, accept and never answer, or reset at once. */
export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'hang' } | { kind: 'reset' };

/**
 * A loopback TCP proxy in front of a real server, to make it slow, silent, resetting or gone
 * (`stop()` closes the port; `start()` opens it again on the same port).
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private mode: ProxyMode = { kind: 'pass' };
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches mode; open connections are cut so the next request meets the new behaviour. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.cutConnections();
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cutConnections();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  private cutConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: net.Socket): void {
    this.track(client);
    const mode = this.mode;
    if (mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (mode.kind === 'hang') return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    const delay = mode.kind === 'delay' ? mode.ms : 0;
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => {
        if (delay === 0) to.write(chunk);
        else setTimeout(() => to.destroyed || to.write(chunk), delay);
      });
      from.on('close', () => setTimeout(() => to.destroy(), delay));
    };
    forward(client, upstream);
    forward(upstream, client);
  }
}
