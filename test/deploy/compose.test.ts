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
  profiles?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

/** A secret of the operator's own: compose has no default for it. */
const OPERATOR_SECRET = randomBytes(48).toString('base64');

async function resolvedCompose(): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run(DOCKER_COMPOSE, ['-f', 'docker-compose.yml', 'config'], {
    env: { ...process.env, AUTH_JWT_SECRET: OPERATOR_SECRET, BAO_DEV_ROOT_TOKEN: '' },
  });
  return parse(stdout);
}

/** The services `docker compose up` starts: those without a profile. */
async function defaultServices(): Promise<Record<string, Service>> {
  const { services } = await resolvedCompose();
  return Object.fromEntries(Object.entries(services).filter(([, service]) => service.profiles === undefined));
}

const OPENBAO_NODES = ['openbao-1', 'openbao-2', 'openbao-3'];

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

  it('runs OpenBao in server mode by default: 3 raft nodes on the committed config, no dev flag anywhere', async () => {
    const services = await defaultServices();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'openbao-1',
      'openbao-2',
      'openbao-3',
      'postgres',
      'processor',
      'secrets-setup',
    ]);
    for (const name of OPENBAO_NODES) {
      const node = services[name] as Service;
      expect(node.image, name).toBe('openbao/openbao:2.7.2');
      expect([...(node.entrypoint ?? []), ...(node.command ?? [])], name).toEqual([
        'bao',
        'server',
        '-config=/openbao/config',
      ]);
      expect(node.environment?.BAO_RAFT_NODE_ID, name).toBe(name);
      expect(node.environment?.BAO_API_ADDR, name).toBe(`https://${name}:8200`);
      expect(
        node.volumes?.some((volume) => volume.endsWith('deploy/openbao/openbao.hcl:/openbao/config/openbao.hcl:ro')),
        name,
      ).toBe(true);
      // The seal key is mounted read-only from its own volume, apart from the node's data volume.
      expect(node.volumes, name).toContain('unseal-key:/openbao/unseal:ro');
      expect(node.volumes, name).toContain(`${name}-data:/openbao/file:rw`);
    }
    const initializing = OPENBAO_NODES.filter((name) =>
      services[name]?.volumes?.some((volume) => volume.includes('initialize.hcl')),
    );
    expect(initializing).toEqual(['openbao-1']);
    expect(JSON.stringify(services)).not.toMatch(/-dev\b|-dev-|dev-root|VAULT_TOKEN|ALLOW_ROOT_TOKEN/);
  });

  it('gives every service a health check, in the default and the dev profile', async () => {
    const { services } = await resolvedCompose();
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, name).toEqual(expect.arrayContaining([expect.any(String)]));
    }
  });

  it('starts services in order and connects over verified TLS only', async () => {
    const services = await defaultServices();
    const completedSetup = { 'secrets-setup': { condition: 'service_completed_successfully' } };
    for (const name of [...OPENBAO_NODES, 'postgres']) expect(services[name]?.depends_on, name).toEqual(completedSetup);
    expect(services.api?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      'openbao-1': { condition: 'service_healthy' },
      'openbao-2': { condition: 'service_started' },
      'openbao-3': { condition: 'service_started' },
    });
    expect(services.processor?.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    const api = services.api?.environment ?? {};
    expect(api.VAULT_ADDR).toBe('https://openbao-1:8200,https://openbao-2:8200,https://openbao-3:8200');
    expect(api.VAULT_CACERT).toBe('/run/transitql/ca/ca.pem');
    expect(api.DATABASE_URL).toMatch(/^postgres:\/\/transitql:[^@]*@postgres:5432\/transitql\?sslmode=verify-full$/);
    expect(api.DATABASE_CACERT).toBe('/run/transitql/ca/ca.pem');
    expect(services.postgres?.command).toEqual(
      expect.arrayContaining(['ssl=on', 'hba_file=/etc/postgresql/pg_hba.conf']),
    );
    const hba = await readFile('deploy/postgres/pg_hba.conf', 'utf8');
    expect(hba).toMatch(/^hostssl\s+all\s+all\s+all\s+scram-sha-256$/m);
    expect(hba).toMatch(/^host\s+all\s+all\s+all\s+reject$/m);
    // The API mounts the CA and its own AppRole pair: not the seal key, not the other roles' secrets.
    expect(services.api?.volumes?.sort()).toEqual(['api-approle:/run/transitql/approle:ro', 'ca:/run/transitql/ca:ro']);
  });

  it('keeps dev mode, its root token and the setup that uses it in the "dev" profile only', async () => {
    const { services } = await resolvedCompose();
    const dev = Object.entries(services).filter(([, service]) => service.profiles?.includes('dev'));
    expect(dev.map(([name]) => name).sort()).toEqual(['api-dev', 'openbao-dev', 'setup-dev']);
    expect(services['openbao-dev']?.command).toContain('-dev');
    expect(services['setup-dev']?.environment?.VAULT_TOKEN).toBeTruthy();
    for (const name of ['api', 'api-dev', 'processor']) {
      const environment = services[name]?.environment ?? {};
      expect(Object.keys(environment), name).not.toContain('VAULT_TOKEN');
      expect(Object.values(environment), name).not.toContain(services['setup-dev']?.environment?.VAULT_TOKEN);
    }
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
