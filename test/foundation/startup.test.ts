import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/global-setup.ts';
import { finished, spawnTs } from '../support/spawn.ts';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-startup-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

describe('npm start on the embedded defaults [embedded]', () => {
  it('serves /graphql and /healthz, says how to get a token (printing none), and exits cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const server = spawnTs('src/server.ts', [], { PORT: String(port), DATA_DIR: path.join(temporary, 'data') });
    const exit = finished(server);
    let output = '';
    server.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    for (let attempt = 0; attempt < 1200 && !output.includes('npm run token'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(`listening on http://127.0.0.1:${port}/graphql`);
    expect(output).toContain('npm run token -- <role>');
    expect(output).toContain('clerk, support, processor, key-admin');
    expect(output, 'a log is no place for bearer tokens').not.toMatch(/eyJ/);

    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
    const health = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health }' }),
    });
    expect(await health.json()).toEqual({ data: { health: 'ok' } });
    expect(fs.statSync(path.join(temporary, 'data', 'master.key')).mode & 0o777).toBe(0o600);

    server.kill('SIGINT');
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  }, 180_000);
});

describe('start-up with bad settings fails in one line [embedded]', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a malformed DATABASE_URL',
      { DATABASE_URL: 'mysql//nope' },
      /^transitql: configuration error: DATABASE_URL is invalid/,
    ],
    [
      'an unreachable database',
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' },
      /^transitql: database at 127\.0\.0\.1:9\/none is unreachable: .*ECONNREFUSED/,
    ],
    [
      'an unusable data directory',
      { DATA_DIR: '/dev/null/data' },
      /^transitql: data directory \/dev\/null\/data is not usable/,
    ],
    ['a bad port', { PORT: 'eighty' }, /^transitql: configuration error: PORT is invalid/],
    [
      'VAULT_ADDR without credentials',
      { VAULT_ADDR: 'http://127.0.0.1:9' },
      /^transitql: configuration error: VAULT_TOKEN is required/,
    ],
    [
      'a short JWT secret',
      { AUTH_JWT_SECRET: 'short' },
      /^transitql: configuration error: AUTH_JWT_SECRET must be at least 32/,
    ],
    [
      'production without a JWT secret',
      { NODE_ENV: 'production' },
      /^transitql: configuration error: AUTH_JWT_SECRET or AUTH_JWKS_URL/,
    ],
  ];

  it.each(cases)('%s', async (_name, env, expected) => {
    const result = await finished(spawnTs('src/server.ts', [], { DATA_DIR: path.join(temporary, 'bad'), ...env }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
