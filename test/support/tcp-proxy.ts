import net from 'node:net';

export type ProxyMode = { kind: 'forward' } | { kind: 'delay'; ms: number } | { kind: 'reset'; times: number };

export interface TcpProxy {
  address: string;
  /** How the proxy treats traffic from now on; earlier connections are affected too (keep-alive). */
  mode: ProxyMode;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a real server that can pass traffic through, hold the answers
 * back, or reset the connection when a request arrives: a slow or flaky network, for tests.
 */
export async function startTcpProxy(upstream: URL): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: TcpProxy = { address: '', mode: { kind: 'forward' }, close: async () => {} };
  const server = net.createServer((client) => {
    const target = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(target);
    client.on('data', (chunk) => {
      const mode = proxy.mode;
      if (mode.kind === 'reset' && mode.times > 0) {
        mode.times -= 1;
        client.resetAndDestroy();
        target.destroy();
        return;
      }
      target.write(chunk);
    });
    target.on('data', (chunk) => {
      const mode = proxy.mode;
      if (mode.kind === 'delay') setTimeout(() => client.writable && client.write(chunk), mode.ms).unref();
      else client.write(chunk);
    });
    for (const socket of [client, target]) {
      socket.on('error', () => {
        client.destroy();
        target.destroy();
      });
      socket.on('close', () => {
        sockets.delete(socket);
        (socket === client ? target : client).end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.address = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
