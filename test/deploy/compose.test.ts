import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);

/** Debian's docker-compose (v1): validates and resolves the file without a Docker engine. */
const DOCKER_COMPOSE = '/usr/bin/docker-compose';
const present = existsSync(DOCKER_COMPOSE);
if (!present && process.env.CI === 'true') throw new Error(`${DOCKER_COMPOSE} is missing: .ci/run installs it`);
if (!present) console.warn(`skipping the docker-compose checks: ${DOCKER_COMPOSE} is not installed`);

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** A secret of the operator's own: compose has no default for it. */
const OPERATOR_SECRET = randomBytes(48).toString('base64');

async function resolvedCompose(): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run(DOCKER_COMPOSE, ['-f', 'docker-compose.yml', 'config'], {
    env: { ...process.env, AUTH_JWT_SECRET: OPERATOR_SECRET, BAO_DEV_ROOT_TOKEN: '' },
  });
  return parse(stdout);
}

describe.skipIf(!present)('docker-compose.yml', () => {
  it('is valid for docker-compose', async () => {
    await expect(
      run(DOCKER_COMPOSE, ['-f', 'docker-compose.yml', 'config', '-q'], {
        env: { ...process.env, AUTH_JWT_SECRET: OPERATOR_SECRET },
      }),
    ).resolves.toBeDefined();
  });

  it('has no usable JWT secret of its own: without AUTH_JWT_SECRET it stops and says how to make one', async () => {
    for (const secret of [undefined, '']) {
      const env = { ...process.env, AUTH_JWT_SECRET: secret };
      if (secret === undefined) delete env.AUTH_JWT_SECRET;
      const failure = await run(DOCKER_COMPOSE, ['-f', 'docker-compose.yml', 'config', '-q'], { env }).then(
        () => undefined,
        (error: { stderr: string }) => error.stderr,
      );
      expect(failure).toContain('set AUTH_JWT_SECRET to a secret of your own, generated with: openssl rand -base64 48');
    }
    const { services } = await resolvedCompose();
    for (const name of ['api', 'processor'])
      expect(services[name]?.environment?.AUTH_JWT_SECRET, name).toBe(OPERATOR_SECRET);
  });

  it('starts services in order: healthy backends, completed setup, healthy API', async () => {
    const { services } = await resolvedCompose();
    expect(Object.keys(services).sort()).toEqual(['api', 'openbao', 'postgres', 'processor', 'setup']);
    for (const name of ['postgres', 'openbao', 'api']) expect(services[name]?.healthcheck?.test, name).toBeDefined();
    expect(services.setup?.depends_on).toEqual({ openbao: { condition: 'service_healthy' } });
    expect(services.api?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      openbao: { condition: 'service_healthy' },
      setup: { condition: 'service_completed_successfully' },
    });
    expect(services.processor?.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(services.setup?.command).toEqual([
      'npm',
      'run',
      'transit',
      '--',
      'setup',
      '--out',
      '/credentials/approle.json',
    ]);
  });

  it('gives the root token to the setup service only', async () => {
    const { services } = await resolvedCompose();
    expect(services.setup?.environment?.VAULT_TOKEN).toBeTruthy();
    for (const name of ['api', 'processor']) {
      const environment = services[name]?.environment ?? {};
      expect(Object.keys(environment), name).not.toContain('VAULT_TOKEN');
      expect(Object.values(environment), name).not.toContain(services.setup?.environment?.VAULT_TOKEN);
    }
    expect(services.api?.entrypoint?.join('\n')).toContain("['transitql-api'].secretId");
  });

  it('builds the API image from node:20-slim and runs it as a non-root user', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    // patch-package runs in npm ci's postinstall: the patches must be in the image before it.
    expect(dockerfile.indexOf('COPY patches ./patches')).toBeGreaterThan(-1);
    expect(dockerfile.indexOf('COPY patches ./patches')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
  });
});
