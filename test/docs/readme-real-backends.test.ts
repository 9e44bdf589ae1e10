import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../support/global-setup.ts';
import { fencedBlocks, section } from '../support/markdown.ts';
import { describeOnRealBackends } from '../support/real-only.ts';
import { finished, untilListening } from '../support/spawn.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The ```sh blocks of a README section, as a reader copies them. */
export function shellBlocks(readme: string, heading: string): string[] {
  return fencedBlocks(section(readme, heading))
    .filter((block) => block.language === 'sh')
    .map((block) => block.body);
}

/** The environment of a fresh shell: none of the harness's DATABASE_URL / VAULT_* settings. */
function freshShellEnvironment(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: os.homedir(), LANG: 'C.UTF-8', ...extra };
}

describeOnRealBackends('README "Real Postgres and Vault/OpenBao", commands run as written', () => {
  const started: ChildProcess[] = [];
  const database = `transitql_readme_${process.pid}`;
  afterAll(() => {
    for (const child of started) if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    for (const file of ['creds.json', 'bao.log']) fs.rmSync(path.join(ROOT, file), { force: true });
    execFileSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--if-exists', database]);
  });

  it('from nothing to the API on the transitql-api AppRole, then the demo to its last step with the key-admin pair', async () => {
    const [start, secondTerminal] = shellBlocks(
      fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'),
      'Real Postgres and Vault/OpenBao',
    );
    expect(start).toContain('npm run transit -- setup --out creds.json');
    expect(secondTerminal).toContain('npm run demo -- --key-admin-credentials creds.json');
    // The only changes: a free port for OpenBao, a database name of this run's own.
    const baoPort = String(await freePort());
    const adapt = (script: string) =>
      script
        .replaceAll('127.0.0.1:8200', `127.0.0.1:${baoPort}`)
        .replace(/(createdb -h 127\.0\.0\.1 -U postgres) transitql$/m, `$1 ${database}`)
        .replace('5432/transitql ', `5432/${database} `);
    const env = freshShellEnvironment({ PORT: String(await freePort()) });

    const server = spawn('bash', ['-e', '-c', adapt(start ?? '')], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(server);
    const output = await untilListening(server);
    expect(output).toContain('policy transitql-api and AppRole role transitql-api: written');
    expect(output).toContain('listening on');
    // The shell has no VAULT_TOKEN: the API logged in with the transitql-api pair the README exports.
    expect(env).not.toHaveProperty('VAULT_TOKEN');

    const demo = spawn('bash', ['-e', '-c', adapt(secondTerminal ?? '')], {
      cwd: ROOT,
      env: {
        ...env,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        VAULT_ADDR: `http://127.0.0.1:${baoPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await finished(demo);
    expect(result.stderr).not.toMatch(/failed|error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rotating with the key-admin AppRole instead');
    expect(result.stdout).toMatch(/"pan": "vault:v2:/);
    expect(result.stdout).toContain('run the card processor once');
    expect(result.stdout).toContain('processed 3, failed 0');
    expect(result.stdout).toMatch(/latest version +2/);
  }, 300_000);
});
