import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Database, openDatabase, openPgliteCopy } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import type { Transit } from '../../src/field-encryption/transit/transit.ts';
import type { VaultSessionOptions } from '../../src/field-encryption/transit/vault/vault-session.ts';

export type BackendName = 'embedded' | 'postgres+openbao';

/** A fresh, isolated pair of backends: a new database (migrated; on embedded, a copy of the run's template) and a new transit mount or keyring. */
export interface Backends {
  name: BackendName;
  config: Config;
  database: Database;
  transit: Transit;
  /** Counts HTTP requests sent to Vault/OpenBao (always 0 on the embedded engine). */
  vaultRequests: string[];
  close(): Promise<void>;
}

export interface BackendSet {
  name: BackendName;
  /** Opens fresh backends; env overrides are applied to the configuration. */
  open(env?: Record<string, string>): Promise<Backends>;
}

/** The backend sets this run can use: always embedded, plus Postgres + OpenBao where the harness found them. */
export function backendSets(): BackendSet[] {
  const real = inject('realBackends');
  const sets: BackendSet[] = [{ name: 'embedded', open: openEmbedded }];
  if (real !== null) sets.push({ name: 'postgres+openbao', open: (env) => openReal(real, env) });
  return sets;
}

/**
 * The environment a child process (an API, a CLI command, the bench) needs to run on these backends'
 * PostgreSQL database and OpenBao mount; undefined on embedded backends.
 */
export function realBackendsEnv(backends: Backends): Record<string, string> | undefined {
  const { database, transit } = backends.config;
  if (database.kind !== 'postgres' || transit.kind !== 'vault' || transit.auth.method !== 'token') return undefined;
  return {
    DATABASE_URL: database.url,
    VAULT_ADDR: transit.address,
    VAULT_TOKEN: transit.auth.token,
    VAULT_TRANSIT_MOUNT: transit.mount,
    ALLOW_ROOT_TOKEN: 'true',
  };
}

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', ...env });
}

async function openEmbedded(env: Record<string, string> = {}): Promise<Backends> {
  const config = testConfig(env);
  const database = await openPgliteCopy(fs.readFileSync(inject('pgliteTemplate')));
  const transit = createTransit(
    config.transit.kind === 'embedded' ? { ...config.transit, keyDir: undefined } : config.transit,
  );
  return {
    name: 'embedded',
    config,
    database,
    transit,
    vaultRequests: [],
    close: async () => {
      await transit.close();
      await database.close();
    },
  };
}

async function openReal(
  real: NonNullable<ReturnType<typeof inject<'realBackends'>>>,
  env: Record<string, string> = {},
): Promise<Backends> {
  const suffix = randomBytes(6).toString('hex');
  const databaseUrl = await createDatabase(real.databaseUrl, `transitql_test_${suffix}`);
  const config = testConfig({
    DATABASE_URL: databaseUrl,
    VAULT_ADDR: real.vaultAddr,
    VAULT_TOKEN: real.vaultToken,
    VAULT_TRANSIT_MOUNT: `transit-${suffix}`,
    ALLOW_ROOT_TOKEN: 'true',
    ...env,
  });
  const backends = await openConfiguredBackends(config, async () => {
    await dropDatabase(real.databaseUrl, databaseUrl);
    for (const mount of [`transit-${suffix}`, `transit-${suffix}-anchor`]) {
      await fetch(`${real.vaultAddr}/v1/sys/mounts/${mount}`, {
        method: 'DELETE',
        headers: { 'X-Vault-Token': real.vaultToken },
      });
    }
  });
  await backends.transit.ensureEngine();
  backends.vaultRequests.length = 0;
  return backends;
}

/** PostgreSQL (migrated) and Vault transit as `config` names them, counting Vault requests; `release` runs after close. */
export async function openConfiguredBackends(config: Config, release: () => Promise<void>): Promise<Backends> {
  const database = await openDatabase(config.database);
  await migrate(database);
  const vaultRequests: string[] = [];
  const options: VaultSessionOptions = { onRequest: (path) => vaultRequests.push(path) };
  const transit = createTransit(config.transit, options);
  return {
    name: 'postgres+openbao',
    config,
    database,
    transit,
    vaultRequests,
    close: async () => {
      await transit.close();
      await database.close();
      await release();
    },
  };
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end();
  }
}
