import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Config, PostgresConfig } from '../config.ts';
import { tighten } from '../owner/private-files.ts';
import { DurableNodeFS, durableStartParams } from './durable-node-fs.ts';
import { initialisePgliteDirectory, PGLITE_SETTINGS } from './pglite-memory.ts';
import { postgresSsl } from './postgres-tls.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** e.g. "PostgreSQL 15.20 at 127.0.0.1:5432/test" */
  describe(): Promise<string>;
  /** Resolves when a trivial query succeeds. */
  ping(): Promise<void>;
  /** A consistent copy of an embedded database (a tar of its directory, gzipped unless 'none'); undefined on Postgres. */
  backup?(compression?: 'gzip' | 'none'): Promise<Buffer>;
  close(): Promise<void>;
}

/** A database that cannot be opened, with a one-line reason a person can act on. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** Opens Postgres through postgres.js when a URL is configured, else PGlite (in a directory, or in memory). */
export async function openDatabase(config: Config['database']): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config) : openPglite(config.dataDir);
}

async function openPostgres(config: PostgresConfig): Promise<Database> {
  const { url, poolSize } = config;
  const target = describeUrl(url);
  let ssl: ReturnType<typeof postgresSsl>;
  try {
    ssl = postgresSsl(config);
  } catch (error) {
    throw new DatabaseUnavailableError(`DATABASE_CACERT ${config.caCertFile} cannot be read: ${reason(error)}`);
  }
  const client = postgres(url, {
    max: poolSize,
    connect_timeout: 10,
    onnotice: () => {},
    ...(ssl === undefined ? {} : { ssl }),
  });
  const db = drizzlePostgres(client, { schema });
  const database: Database = {
    kind: 'postgres',
    db,
    describe: async () => {
      const [row] = await client<{ server_version: string }[]>`show server_version`;
      return `PostgreSQL ${row?.server_version ?? ''} at ${target}`;
    },
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
  try {
    await database.ping();
  } catch (error) {
    await client.end({ timeout: 0 }).catch(() => {});
    if ((error as { code?: string }).code === MISSING_DATABASE) {
      const { hostname, port, username, pathname } = new URL(url);
      const name = decodeURIComponent(pathname.slice(1));
      throw new DatabaseUnavailableError(
        `database "${name}" does not exist on ${hostname}:${port || '5432'}; create it with: ` +
          `createdb -h ${hostname} -p ${port || '5432'}${username ? ` -U ${decodeURIComponent(username)}` : ''} ${name}`,
      );
    }
    throw new DatabaseUnavailableError(`database at ${target} is unreachable: ${reason(error)}`);
  }
  return database;
}

/**
 * An in-memory embedded database started from a copy of another one's files (an uncompressed
 * `backup('none')`): no initdb, so it starts in a fraction of the time of a new one (the test suites).
 */
export function openPgliteCopy(files: Buffer): Promise<Database> {
  return openPglite(undefined, new Blob([files]));
}

async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  if (dataDir !== undefined) {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.accessSync(dataDir, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      throw new DatabaseUnavailableError(`data directory ${dataDir} is not usable: ${reason(error)}`);
    }
  }
  let client: PGlite;
  try {
    if (dataDir !== undefined) await initialisePgliteDirectory(dataDir);
    client = await PGlite.create(
      dataDir === undefined
        ? { postgresqlconf: PGLITE_SETTINGS, ...(loadDataDir === undefined ? {} : { loadDataDir }) }
        : { fs: new DurableNodeFS(dataDir), startParams: durableStartParams, postgresqlconf: PGLITE_SETTINGS },
    );
  } catch (error) {
    if (dataDir !== undefined && isWasmAbort(error)) {
      // PGlite aborts without a reason when the files of the directory are damaged or incomplete.
      throw new DatabaseUnavailableError(
        `embedded database in ${dataDir} cannot be opened: its files look damaged or incomplete. ` +
          `Stop every process using it, then move it aside (mv ${dataDir} ${dataDir}.damaged) to start with an empty ` +
          `database, or put back a backup copy of ${dataDir}. The embedded keyring beside it is not touched.`,
      );
    }
    throw new DatabaseUnavailableError(
      `embedded database in ${dataDir ?? 'memory'} cannot be opened: ${reason(error)}`,
    );
  }
  if (dataDir !== undefined) tighten(dataDir);
  const db = drizzlePglite(client, { schema });
  return {
    kind: 'pglite',
    db,
    describe: async () => {
      const result = await db.execute<{ server_version: string }>(sql`show server_version`);
      const version = result.rows[0]?.server_version ?? '';
      return `PGlite (embedded PostgreSQL ${version}) ${dataDir === undefined ? 'in memory' : `in ${dataDir}`}; ${PGLITE_VERSION_NOTE}`;
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    backup: async (compression = 'gzip') => Buffer.from(await (await client.dumpDataDir(compression)).arrayBuffer()),
    close: () => client.close(),
  };
}

/** PGlite brings its own PostgreSQL major version, newer than the servers deployments run. */
export const PGLITE_VERSION_NOTE =
  'deployments set DATABASE_URL to a PostgreSQL server (docker-compose.yml and CI run 15): the test suites run on both';

/** Postgres's SQLSTATE for "database does not exist". */
const MISSING_DATABASE = '3D000';

function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RuntimeError' || /^Aborted\(/.test(error.message));
}

function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
}
