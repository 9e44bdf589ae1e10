import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { finished, spawnTs } from '../support/spawn.ts';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-messages-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

describe('start-up messages a newcomer can act on', () => {
  it('a damaged embedded database names its directory and how to move it aside or restore it [embedded]', async () => {
    const dataDir = path.join(temporary, 'data');
    const pgliteDir = path.join(dataDir, 'pglite');
    fs.mkdirSync(pgliteDir, { recursive: true });
    await (await PGlite.create({ dataDir: pgliteDir })).close();
    fs.writeFileSync(path.join(pgliteDir, 'global', 'pg_control'), Buffer.alloc(100, 0x5a));

    const { code, stdout, stderr } = await finished(spawnTs('src/server.ts', [], { DATA_DIR: dataDir, PORT: '0' }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `transitql: embedded database in ${pgliteDir} cannot be opened: its files look damaged or incomplete. ` +
        `Stop every process using it, then move it aside (mv ${pgliteDir} ${pgliteDir}.damaged) to start with an ` +
        `empty database, or put back a backup copy of ${pgliteDir}. The embedded keyring beside it is not touched.\n`,
    );
  }, 120_000);

  it("the banner says the embedded PostgreSQL is PGlite's own, and what deployments run [embedded]", async () => {
    const dataDir = path.join(temporary, 'banner');
    const server = spawnTs('src/server.ts', [], { DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development' });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (chunk) => {
        stdout += chunk;
        if (/\n {2}transit: /.test(stdout)) resolve();
      });
      server.once('close', () => reject(new Error(`the server exited before its banner:\n${stdout}`)));
    });
    const exited = finished(server);
    server.kill('SIGTERM');
    await exited;
    const database = /\n {2}database: (.*)\n/.exec(stdout)?.[1];
    expect(database).toMatch(
      new RegExp(
        `^PGlite \\(embedded PostgreSQL \\d+\\.\\d+\\) in ${path.join(dataDir, 'pglite')}; ` +
          'deployments set DATABASE_URL to a PostgreSQL server \\(docker-compose.yml and CI run 15\\): the test suites run on both$',
      ),
    );
  }, 120_000);

  const postgres = process.env.DATABASE_URL;
  it.skipIf(postgres === undefined)(
    'a database that does not exist is named, with the createdb command [postgres]',
    async () => {
      const url = new URL(postgres ?? '');
      const name = `transitql_missing_${process.pid}`;
      url.pathname = `/${name}`;
      const { code, stderr } = await finished(
        spawnTs('src/server.ts', [], { DATABASE_URL: url.toString(), PORT: '0' }),
      );
      expect(code).toBe(1);
      const port = url.port || '5432';
      const user = url.username ? ` -U ${decodeURIComponent(url.username)}` : '';
      expect(stderr).toBe(
        `transitql: database "${name}" does not exist on ${url.hostname}:${port}; create it with: createdb -h ${url.hostname} -p ${port}${user} ${name}\n`,
      );
    },
  );
});
