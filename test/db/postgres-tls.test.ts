import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freePort } from '../support/global-setup.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const present = fs.existsSync(path.join(PG_BIN, 'initdb'));
if (!present && process.env.CI === 'true')
  throw new Error(`${PG_BIN}/initdb is missing: the Postgres TLS test needs it`);

/** Runs a command as the postgres user (Postgres refuses to run as root). */
function asPostgres(command: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
}

/**
 * A throwaway PostgreSQL 15 cluster with ssl=on, its certificate issued by deploy/openbao/setup-secrets.sh
 * (SANs postgres, localhost, 127.0.0.1), listening on 127.0.0.1 and 127.0.0.2 (the second address is
 * not in the certificate). The machine's main cluster is not touched.
 */
describe.skipIf(!present)('Postgres over TLS: sslmode=verify-full with DATABASE_CACERT', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-pgtls-'));
  const secrets = path.join(dir, 'secrets');
  const data = path.join(dir, 'data');
  let server: ChildProcess | undefined;
  let port: number;

  const url = (host: string, mode: string) => `postgres://postgres@${host}:${port}/postgres?sslmode=${mode}`;
  const open = (host: string, mode: string, caFile?: string) =>
    openDatabase(
      loadConfig({ DATABASE_URL: url(host, mode), ...(caFile === undefined ? {} : { DATABASE_CACERT: caFile }) })
        .database,
    );

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755);
    const postgresUid = execFileSync('id', ['-u', 'postgres']).toString().trim();
    execFileSync('sh', [path.resolve('deploy/openbao/setup-secrets.sh'), secrets], {
      env: { ...process.env, POSTGRES_UID: postgresUid },
      stdio: 'ignore',
    });
    fs.mkdirSync(data);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', data]);
    const [initdb, ...initArgs] = asPostgres(path.join(PG_BIN, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
    ]);
    execFileSync(initdb as string, initArgs, { stdio: 'ignore' });
    port = await freePort();
    const [postgres, ...args] = asPostgres(path.join(PG_BIN, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1,127.0.0.2',
      '-c',
      `unix_socket_directories=${data}`,
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${secrets}/postgres-tls/postgres.pem`,
      '-c',
      `ssl_key_file=${secrets}/postgres-tls/postgres-key.pem`,
    ]);
    server = spawn(postgres as string, args, { stdio: 'ignore' });
    for (let waited = 0; ; waited += 200) {
      try {
        execFileSync(path.join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
        break;
      } catch {
        if (waited > 30_000) throw new Error('the throwaway Postgres did not start');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, 60_000);
  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      // runuser does not pass signals on: pg_ctl stops the postmaster itself.
      const [pgctl, ...args] = asPostgres(path.join(PG_BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast']);
      execFileSync(pgctl as string, args, { stdio: 'ignore' });
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects with verify-full against the CA the setup step created, and the session is encrypted', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const database = await open(host, 'verify-full', `${secrets}/ca/ca.pem`);
      try {
        await migrate(database);
        const rows = (await database.db.execute(
          sql`select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`,
        )) as unknown as Array<{ ssl: boolean; version: string }>;
        expect(rows[0]).toMatchObject({ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) });
      } finally {
        await database.close();
      }
    }
  });

  it('refuses a server whose certificate does not chain to DATABASE_CACERT', async () => {
    const otherCa = path.join(dir, 'other-ca.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=another CA',
        '-keyout',
        path.join(dir, 'other-ca-key.pem'),
        '-out',
        otherCa,
      ]),
      { stdio: 'ignore' },
    );
    await expect(open('127.0.0.1', 'verify-full', otherCa)).rejects.toThrow(
      /database at 127\.0\.0\.1:\d+\/postgres is unreachable: .*(self-signed|unable to (get|verify))/i,
    );
    // Without DATABASE_CACERT the system CAs apply, and they do not know this CA either.
    await expect(open('127.0.0.1', 'verify-full')).rejects.toThrow(
      /unreachable: .*(self-signed|unable to (get|verify))/i,
    );
  });

  it('verify-full refuses a host name the certificate does not carry; verify-ca does not check names', async () => {
    await expect(open('127.0.0.2', 'verify-full', `${secrets}/ca/ca.pem`)).rejects.toThrow(
      /unreachable: .*(IP: 127\.0\.0\.2 is not in the cert's list|altnames)/i,
    );
    const database = await open('127.0.0.2', 'verify-ca', `${secrets}/ca/ca.pem`);
    await database.close();
  });

  it('names an unreadable DATABASE_CACERT', async () => {
    await expect(open('127.0.0.1', 'verify-full', path.join(dir, 'missing.pem'))).rejects.toThrow(
      /DATABASE_CACERT .*missing\.pem cannot be read/,
    );
  });
});
