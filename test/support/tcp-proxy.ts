import net from 'node:net';

/**
 * How the proxy treats traffic: forward, forward answers late, swallow everything (a silent server),
 * or reset the connection when a request arrives (the next `times` requests only, then forward;
 * every request without `times`).
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset'; times?: number };

/**
 * A loopback TCP proxy in front of a real server, to make it slow, silent, resetting or gone
 * (`stop()` closes the port; `start()` opens it again on the same port).
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private mode: ProxyMode = { kind: 'pass' };
  private resetsLeft = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches mode; it applies to open (keep-alive) connections too, from their next packet on. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.resetsLeft = mode.kind === 'reset' ? (mode.times ?? Number.POSITIVE_INFINITY) : 0;
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
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(client);
    this.track(upstream);
    client.on('data', (chunk) => {
      if (this.mode.kind === 'reset' && this.resetsLeft > 0) {
        this.resetsLeft -= 1;
        client.resetAndDestroy();
        upstream.destroy();
      } else if (this.mode.kind !== 'hang') {
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk) => {
      const mode = this.mode;
      if (mode.kind === 'delay') setTimeout(() => client.destroyed || client.write(chunk), mode.ms);
      else if (mode.kind !== 'hang') client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      const mode = this.mode;
      setTimeout(() => client.destroy(), mode.kind === 'delay' ? mode.ms : 0);
    });
  }
}
