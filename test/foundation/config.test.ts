import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration [embedded]', () => {
  it('defaults to PGlite and the embedded transit engine under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/srv/transitql' });
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/transitql/pglite' });
    expect(config.transit).toMatchObject({
      kind: 'embedded',
      keyDir: '/srv/transitql/transit',
      masterKeyFile: '/srv/transitql/master.key',
    });
    expect(config.auth).toMatchObject({ kind: 'secret', origin: 'development' });
  });

  it('switches to postgres.js and Vault when configured', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      VAULT_ADDR: 'https://vault:8200/',
      VAULT_ROLE_ID: 'role',
      VAULT_SECRET_ID: 'secret',
    });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://u:p@db:5432/app' });
    expect(config.transit).toMatchObject({
      kind: 'vault',
      address: 'https://vault:8200',
      auth: { method: 'approle', roleId: 'role', secretId: 'secret' },
    });
  });

  it('takes several OpenBao nodes from VAULT_ADDR (comma-separated) or VAULT_ADDRS', () => {
    const nodes = ['https://openbao-1:8200', 'https://openbao-2:8200', 'https://openbao-3:8200'];
    for (const env of [
      { VAULT_ADDR: 'https://openbao-1:8200/, https://openbao-2:8200,https://openbao-3:8200' },
      { VAULT_ADDRS: nodes.join(','), VAULT_ADDR: 'http://ignored:8200' },
    ]) {
      const config = loadConfig({ ...env, VAULT_TOKEN: 't' });
      expect(config.transit).toMatchObject({ kind: 'vault', address: nodes[0], addresses: nodes });
    }
  });

  it('reads the Postgres CA from DATABASE_CACERT with sslmode=verify-full', () => {
    const url = 'postgres://u:p@db:5432/app?sslmode=verify-full';
    const config = loadConfig({ DATABASE_URL: url, DATABASE_CACERT: '/etc/ca.pem' });
    expect(config.database).toEqual({ kind: 'postgres', url, poolSize: 10, caCertFile: '/etc/ca.pem' });
  });

  it.each([
    [{ VAULT_ADDR: 'https://a:8200,vault:8200' }, /^VAULT_ADDR is invalid/],
    [{ VAULT_ADDRS: 'https://a:8200,,https://b:8200' }, /^VAULT_ADDRS is invalid/],
    [
      { DATABASE_URL: 'postgres://u@db/app?sslmode=require', DATABASE_CACERT: '/ca.pem' },
      /^DATABASE_CACERT needs sslmode=verify-full/,
    ],
    [{ DATABASE_URL: 'localhost:5432' }, /^DATABASE_URL is invalid/],
    [{ VAULT_ADDR: 'vault:8200' }, /^VAULT_ADDR is invalid/],
    [{ VAULT_ADDR: 'http://vault:8200', VAULT_ROLE_ID: 'r' }, /^VAULT_SECRET_ID is required/],
    [{ TRANSIT_BATCH_SIZE: '5000' }, /^TRANSIT_BATCH_SIZE is invalid/],
    [{ TRANSIT_MASTER_KEY: 'c2hvcnQ=' }, /^TRANSIT_MASTER_KEY is invalid: must be 32 bytes/],
    [{ AUTH_JWKS_URL: 'https://idp/jwks' }, /^AUTH_ISSUER is required with AUTH_JWKS_URL/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV is invalid/],
  ])('names the bad variable: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('answers the loopback names always, ALLOWED_HOSTS besides, and any Host on 0.0.0.0 until told otherwise', () => {
    const names = (env: Record<string, string>) => {
      const allowed = loadConfig(env).http.allowedHosts;
      return allowed.kind === 'any' ? 'any' : [...allowed.hostnames].sort();
    };
    expect(names({})).toEqual(['127.0.0.1', '::1', 'localhost']);
    expect(names({ ALLOWED_HOSTS: 'API.example.com., api:4000' })).toEqual([
      '127.0.0.1',
      '::1',
      'api',
      'api.example.com',
      'localhost',
    ]);
    expect(names({ HOST: '0.0.0.0' })).toBe('any');
    expect(names({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'api' })).toEqual(['127.0.0.1', '::1', 'api', 'localhost']);
    expect(names({ ALLOWED_HOSTS: '*' })).toBe('any');
  });
});
