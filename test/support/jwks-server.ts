import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer {
  url: string;
  /** How many times the key set was fetched. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Serves a JSON Web Key Set on loopback, standing where an identity provider's JWKS URL would be. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const body = JSON.stringify({ keys });
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
