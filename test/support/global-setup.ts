import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { makePgliteTemplate } from './pglite-template.ts';

export interface RealBackends {
  databaseUrl: string;
  vaultAddr: string;
  vaultToken: string;
  baoBinary: string | undefined;
  description: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    realBackends: RealBackends | null;
    /** Set by vitest.fast.config.ts (`npm test`): the postgres+openbao set runs in `npm run test:all`. */
    embeddedOnly?: boolean;
  }
}

let bao: ChildProcess | undefined;

/**
 * Decides which backend sets the suites run on. Always the embedded one (PGlite + embedded transit);
 * also Postgres + OpenBao/Vault when DATABASE_URL is set and a Vault is configured (VAULT_ADDR +
 * VAULT_TOKEN) or a `bao` binary can be started here, unless the config asks for embedded only
 * (`npm test`). TRANSITQL_REQUIRE_REAL_BACKENDS=true makes their absence an error (CI). Also makes
 * the migrated PGlite the embedded suites start from.
 */
export default async function setup(project: TestProject) {
  const required = process.env.TRANSITQL_REQUIRE_REAL_BACKENDS === 'true';
  const embeddedOnly = project.getProvidedContext().embeddedOnly === true;
  if (embeddedOnly && required) {
    throw new Error('TRANSITQL_REQUIRE_REAL_BACKENDS=true asks for the real backends: run `npm run test:all`');
  }
  const real = await (embeddedOnly ? Promise.resolve(null) : findRealBackends()).catch((error: unknown) => {
    if (required) throw error;
    console.warn(`[transitql tests] real backends unavailable: ${(error as Error).message}`);
    return null;
  });
  if (real === null && required) {
    throw new Error('TRANSITQL_REQUIRE_REAL_BACKENDS=true but DATABASE_URL or a Vault/OpenBao is missing');
  }
  project.provide('realBackends', real);
  const pgliteTemplate = await makePgliteTemplate();
  project.provide('pgliteTemplate', pgliteTemplate.file);
  console.log(
    `[transitql tests] backends: embedded (PGlite in memory + embedded transit engine)${real === null ? ' only' : `; postgres+openbao (${real.description})`}${embeddedOnly ? '; the postgres+openbao set and the slow suites run in `npm run test:all`' : ''}`,
  );
  return async () => {
    pgliteTemplate.remove();
    bao?.kill('SIGTERM');
  };
}

async function findRealBackends(): Promise<RealBackends | null> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl === '') return null;
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  const [row] = await sql<{ server_version: string }[]>`show server_version`.finally(() => sql.end());
  const baoBinary = findBao();
  let vaultAddr = process.env.VAULT_ADDR;
  let vaultToken = process.env.VAULT_TOKEN;
  if (vaultAddr === undefined || vaultAddr === '') {
    if (baoBinary === undefined) return null;
    ({ vaultAddr, vaultToken } = await startBao(baoBinary));
  }
  if (vaultToken === undefined) throw new Error('VAULT_ADDR is set but VAULT_TOKEN is not');
  const health = (await (await fetch(`${vaultAddr}/v1/sys/health`)).json()) as { version: string };
  return {
    databaseUrl,
    vaultAddr,
    vaultToken,
    baoBinary,
    description: `PostgreSQL ${row?.server_version} at ${new URL(databaseUrl).host}, OpenBao/Vault ${health.version} at ${vaultAddr}`,
  };
}

export function findBao(): string | undefined {
  const candidates = [
    process.env.BAO_BINARY,
    path.resolve('.tools/venv/bin/bao'),
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'bao')),
  ];
  return candidates.find((file) => file !== undefined && file !== '' && fs.existsSync(file));
}

async function startBao(binary: string): Promise<{ vaultAddr: string; vaultToken: string }> {
  const port = await freePort();
  const vaultToken = `root-${randomUUID()}`;
  const vaultAddr = `http://127.0.0.1:${port}`;
  bao = spawn(binary, ['server', '-dev', `-dev-root-token-id=${vaultToken}`, `-dev-listen-address=127.0.0.1:${port}`], {
    stdio: 'ignore',
  });
  await waitForHealth(vaultAddr, 30_000);
  return { vaultAddr, vaultToken };
}

export async function waitForHealth(vaultAddr: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${vaultAddr}/v1/sys/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`OpenBao at ${vaultAddr} did not become healthy within ${timeoutMs} ms`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
