import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { freePort } from '../support/global-setup.ts';
import { finished, spawnTs } from '../support/spawn.ts';

/** The development secret, as published in src/config.ts. */
const DEVELOPMENT_SECRET = 'transitql-development-secret-change-me-0123456789';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-off-loopback-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

/** An address of this machine that is not loopback, so a connection to it arrives from off loopback. */
function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;
}

function developmentToken(role: string): Promise<string> {
  return new SignJWT({ roles: [role] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(`dev-${role}`)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(DEVELOPMENT_SECRET));
}

describe('HOST=0.0.0.0 without AUTH_JWT_SECRET, NODE_ENV unset [embedded]', () => {
  it('refuses a processor token signed with the published development secret, from a non-loopback address, and says so at start-up', async () => {
    const address = nonLoopbackAddress() ?? '127.0.0.1';
    const port = await freePort();
    const server = spawnTs('src/server.ts', [], {
      NODE_ENV: undefined,
      HOST: '0.0.0.0',
      PORT: String(port),
      DATA_DIR: path.join(temporary, 'data'),
    });
    const exit = finished(server);
    let output = '';
    server.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const summarised = () => output.includes('AUTH_JWT_SECRET') || output.includes('key-admin');
      for (let attempt = 0; attempt < 1200 && !summarised(); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain(`listening on http://0.0.0.0:${port}/graphql`);

      const response = await fetch(`http://${address}:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await developmentToken('processor')}`,
        },
        body: JSON.stringify({ query: 'mutation { claimCards(limit: 1) { id pan } }' }),
      });
      const body = (await response.json()) as { data: unknown; errors?: { extensions?: { code?: string } }[] };
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeNull();

      const authLines = output.split('\n').filter((line) => line.includes('AUTH_JWT_SECRET'));
      expect(authLines).toHaveLength(1);
      expect(authLines[0]).toMatch(/development secret .*loopback/);
      expect(authLines[0]).toMatch(/random/);
    } finally {
      server.kill('SIGINT');
    }
    expect((await exit).code).toBe(0);
  }, 180_000);
});

describe('which secret an unset AUTH_JWT_SECRET means', () => {
  it('is the development secret on a loopback HOST only', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      expect(loadConfig({ HOST: host }).auth).toMatchObject({ secret: DEVELOPMENT_SECRET, origin: 'development' });
    }
  });

  it('is random bytes of this process on any other HOST, and no token can be issued for it', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.2', 'api.example.com']) {
      const first = loadConfig({ HOST: host }).auth;
      const second = loadConfig({ HOST: host }).auth;
      expect(first).toMatchObject({ kind: 'secret', origin: 'generated' });
      expect(first.kind === 'secret' && second.kind === 'secret' && first.secret !== second.secret).toBe(true);
      expect(first.kind === 'secret' && first.secret !== DEVELOPMENT_SECRET).toBe(true);
      await expect(issueToken(first, ['processor'], 'p')).rejects.toThrow(ConfigError);
    }
  });

  it('`npm run token` on such a HOST says to set AUTH_JWT_SECRET, in one line, and prints no token', async () => {
    const result = await finished(spawnTs('src/cli/token.ts', ['processor'], { NODE_ENV: undefined, HOST: '0.0.0.0' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^transitql: configuration error: AUTH_JWT_SECRET is unset and HOST is not loopback, .* set AUTH_JWT_SECRET \(generate one with `openssl rand -base64 48`\)/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
