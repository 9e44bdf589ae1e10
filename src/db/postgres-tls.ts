import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { PostgresConfig } from '../config.ts';

/** What postgres.js is given as `ssl`: its own reading of the URL's sslmode, or verifying TLS options. */
export type PostgresSsl = tls.ConnectionOptions | undefined;

/**
 * With sslmode=verify-full or verify-ca, the server certificate must chain to DATABASE_CACERT (or the
 * system CAs when unset); verify-full also checks it names the host of DATABASE_URL, IP addresses
 * included (postgres.js alone compares an IP host against "localhost"). Other modes are left to
 * postgres.js as the URL says.
 */
export function postgresSsl(config: PostgresConfig): PostgresSsl {
  const url = new URL(config.url);
  const mode = url.searchParams.get('sslmode');
  if (mode !== 'verify-full' && mode !== 'verify-ca') return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: tls.ConnectionOptions = {
    rejectUnauthorized: true,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    checkServerIdentity:
      mode === 'verify-full'
        ? (_servername, certificate) => tls.checkServerIdentity(host, certificate)
        : () => undefined,
  };
  if (config.caCertFile !== undefined) options.ca = fs.readFileSync(config.caCertFile);
  return options;
}
