import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { transitProgram } from '../../src/cli/transit/program.ts';
import { setup } from '../../src/cli/transit/setup.ts';
import type { Config } from '../../src/config.ts';
import { REVEAL_SEAL_KEY } from '../../src/encryption-declarations.ts';
import { ADMIN_ROLE, RevealLedger, revealEvents } from '../../src/field-encryption/index.ts';
import { createTransit } from '../../src/field-encryption/transit/create-transit.ts';
import { API_ROLE, KEY_ADMIN_ROLE } from '../../src/field-encryption/transit/vault/least-privilege.ts';
import { startTestApi } from '../support/api.ts';
import type { Backends } from '../support/backends.ts';
import { panFor } from '../support/luhn-pans.ts';
import { describeOnRealBackends } from '../support/real-only.ts';
import { transitCommandInput } from '../support/transit-command.ts';

type VaultConfig = Extract<Config['transit'], { kind: 'vault' }>;
type Credentials = Record<string, { roleId: string; secretId: string }>;

const CREATE = 'mutation Create($input: CreditCardInput!) { createCreditCard(input: $input) { id pan } }';
const READ = 'query Read($id: ID!) { creditCard(id: $id) { pan } }';

describeOnRealBackends('least privilege: setup policies, AppRole, no root token', (set) => {
  let backends: Backends;
  let vault: VaultConfig;
  let credentials: Credentials;
  let setupOutput: string;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-approle-'));
  const outFile = path.join(outDir, 'approle.json');

  beforeAll(async () => {
    backends = await set.open({ VAULT_APPROLE_MOUNT: `approle-${randomBytes(4).toString('hex')}` });
    if (backends.config.transit.kind !== 'vault') throw new Error('expected Vault');
    vault = backends.config.transit;
    const lines: string[] = [];
    expect(
      await setup.run(
        transitCommandInput(backends, [], { out: outFile, 'token-ttl': '3s', 'token-max-ttl': '6s' }, lines),
      ),
    ).toBe(0);
    setupOutput = lines.join('\n');
    credentials = JSON.parse(fs.readFileSync(outFile, 'utf8')) as Credentials;
  }, 60_000);
  afterAll(async () => {
    await backends?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  function onAppRole(role: string): Config {
    const pair = credentials[role];
    if (pair === undefined) throw new Error(`setup wrote no credentials for ${role}`);
    return {
      ...backends.config,
      transit: {
        ...vault,
        allowRootToken: false,
        auth: { method: 'approle', roleId: pair.roleId, secretId: pair.secretId },
      },
    };
  }

  async function appRoleToken(role: string): Promise<string> {
    const pair = credentials[role];
    const response = await fetch(`${vault.address}/v1/auth/${vault.approleMount}/login`, {
      method: 'POST',
      body: JSON.stringify({ role_id: pair?.roleId, secret_id: pair?.secretId }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { auth: { client_token: string } }).auth.client_token;
  }

  function vaultPost(token: string, endpoint: string, body: unknown = {}): Promise<Response> {
    return fetch(`${vault.address}/v1/${vault.mount}/${endpoint}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
      body: JSON.stringify(body),
    });
  }

  it('writes both roles and their credentials to a 0600 file', () => {
    expect(setupOutput).toContain(`policy ${API_ROLE} and AppRole role ${API_ROLE}: written`);
    expect(setupOutput).not.toContain(credentials[API_ROLE]?.secretId);
    expect(Object.keys(credentials).sort()).toEqual([API_ROLE, KEY_ADMIN_ROLE]);
    expect(fs.statSync(outFile).mode & 0o777).toBe(0o600);
  });

  it('refuses the API token a direct rotate (403) and lets it encrypt', async () => {
    const token = await appRoleToken(API_ROLE);
    expect((await vaultPost(token, 'keys/card-pan/rotate')).status).toBe(403);
    expect((await vaultPost(token, 'keys/card-pan/config', { min_decryption_version: 1 })).status).toBe(403);
    const encrypted = await vaultPost(token, 'encrypt/card-pan', {
      plaintext: Buffer.from('x').toString('base64'),
      context: Buffer.from('a-card-id').toString('base64'),
    });
    expect(encrypted.status).toBe(200);

    const transit = createTransit(onAppRole(API_ROLE).transit);
    try {
      await expect(transit.rotateKey('card-pan')).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('rotate key "card-pan"'),
      });
    } finally {
      await transit.close();
    }
  });

  it('lets the key-admin token rotate and configure but not decrypt', async () => {
    const token = await appRoleToken(KEY_ADMIN_ROLE);
    expect((await vaultPost(token, 'keys/card-pan/rotate')).status).toBe(200);
    const decrypt = await vaultPost(token, 'decrypt/card-pan', { ciphertext: 'vault:v1:AAAA' });
    expect(decrypt.status).toBe(403);
  });

  it('the blind-index key: the API may only HMAC with it, the key admin only rotate and configure it', async () => {
    const api = await appRoleToken(API_ROLE);
    const input = { input: Buffer.from('4539296620131157').toString('base64') };
    expect((await vaultPost(api, 'hmac/card-pan-index', input)).status).toBe(200);
    const ciphertext = await vaultPost(api, 'encrypt/card-pan', { ...input, plaintext: input.input, context: 'YQ==' });
    const { data } = (await ciphertext.json()) as { data: { ciphertext: string } };
    expect((await vaultPost(api, 'encrypt/card-pan-index', { plaintext: input.input })).status).toBe(403);
    expect((await vaultPost(api, 'decrypt/card-pan-index', { ciphertext: data.ciphertext })).status).toBe(403);
    expect((await vaultPost(api, 'rewrap/card-pan-index', { ciphertext: data.ciphertext })).status).toBe(403);
    expect((await vaultPost(api, 'keys/card-pan-index/rotate')).status).toBe(403);
    const admin = await appRoleToken(KEY_ADMIN_ROLE);
    expect((await vaultPost(admin, 'keys/card-pan-index/rotate')).status).toBe(200);
    expect((await vaultPost(admin, 'keys/card-pan-index/config', { min_decryption_version: 1 })).status).toBe(200);
    expect((await vaultPost(admin, 'hmac/card-pan-index', input)).status).toBe(403);
    expect((await vaultPost(admin, 'rewrap/card-pan-index', { ciphertext: data.ciphertext })).status).toBe(403);
  });

  it("[PCI 10.2.1.2] records the key admin's CLI commands on its own AppRole: it seals the entry and moves the checkpoint, yet still cannot decrypt", async () => {
    const config = onAppRole(KEY_ADMIN_ROLE);
    const transit = createTransit(config.transit);
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    try {
      const code = await transitProgram.run(
        ['rotate', 'card-pan', '--by', 'ops-key-admin'],
        { config, runsIn: 'cli', transit: () => transit, withDatabase: (use) => use(backends.database) },
        io,
      );
      expect(code, lines.join('\n')).toBe(0);
    } finally {
      await transit.close();
    }
    const entries = await backends.database.db.select().from(revealEvents).where(eq(revealEvents.role, ADMIN_ROLE));
    expect(entries.map(({ field, key, subject }) => ({ field, key, subject }))).toEqual([
      { field: 'key.rotate', key: 'card-pan', subject: 'ops-key-admin' },
    ]);
    expect((await new RevealLedger(backends.database.db, backends.transit, REVEAL_SEAL_KEY).verify()).broken).toBe(
      undefined,
    );
    // What the record needed is all it got: no decrypt, no HMAC of any other key, no encrypt.
    const token = await appRoleToken(KEY_ADMIN_ROLE);
    const input = { input: Buffer.from('4539296620131157').toString('base64') };
    expect((await vaultPost(token, 'hmac/reveal-seal', input)).status).toBe(200);
    expect((await vaultPost(token, 'hmac/card-pan', input)).status).toBe(403);
    expect((await vaultPost(token, 'decrypt/reveal-seal', { ciphertext: 'vault:v1:AAAA' })).status).toBe(403);
    expect((await vaultPost(token, 'encrypt/card-pan', { plaintext: input.input })).status).toBe(403);
  });

  it('serves the API on AppRole: clerk gets ciphertext, processor plaintext, rotateKey is FORBIDDEN', async () => {
    const config = onAppRole(API_ROLE);
    const transit = createTransit(config.transit);
    const api = await startTestApi({ ...backends, config, transit });
    try {
      const created = await api.gql<{ createCreditCard: { id: string; pan: string } }>(CREATE, {
        role: 'clerk',
        variables: { input: { name: 'Carlos Gardel', pan: panFor(1) } },
      });
      expect(created.data?.createCreditCard.pan).toMatch(/^vault:v\d+:/);
      const read = await api.gql(READ, { role: 'processor', variables: { id: created.data?.createCreditCard.id } });
      expect(read.data).toEqual({ creditCard: { pan: panFor(1) } });
      const found = await api.gql('query Find($pan: PAN!) { creditCardsByPan(pan: $pan) { id } }', {
        role: 'clerk',
        variables: { pan: panFor(1) },
      });
      expect(found.data).toEqual({ creditCardsByPan: [{ id: created.data?.createCreditCard.id }] });

      const rotate = await api.gql('mutation { rotateKey(name: "card-pan") { latestVersion } }', { role: 'key-admin' });
      expect(rotate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(rotate.errors?.[0]?.message).toContain('rotate key "card-pan"');
    } finally {
      await api.close();
      await transit.close();
    }
  });

  it('keeps working past the token TTL and its max TTL (renewal, then a new AppRole login)', async () => {
    const config = onAppRole(API_ROLE);
    const transit = createTransit(config.transit);
    const api = await startTestApi({ ...backends, config, transit });
    try {
      // token_ttl=3s and token_max_ttl=6s: ten rounds a second apart outlive both.
      for (let round = 0; round < 10; round += 1) {
        const created = await api.gql<{ createCreditCard: { id: string } }>(CREATE, {
          role: 'clerk',
          variables: { input: { name: `Round ${round}`, pan: panFor(100 + round) } },
        });
        expect(created.errors).toBeUndefined();
        const read = await api.gql(READ, { role: 'processor', variables: { id: created.data?.createCreditCard.id } });
        expect(read.data).toEqual({ creditCard: { pan: panFor(100 + round) } });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    } finally {
      await api.close();
      await transit.close();
    }
  }, 60_000);

  it('replaces a token revoked under it with a new AppRole login, and the request that met the revocation succeeds', async () => {
    const config = onAppRole(API_ROLE);
    const transit = createTransit(config.transit);
    const api = await startTestApi({ ...backends, config, transit });
    try {
      const before = await api.gql<{ createCreditCard: { id: string } }>(CREATE, {
        role: 'clerk',
        variables: { input: { name: 'Before', pan: panFor(200) } },
      });
      expect(before.errors).toBeUndefined();
      // An operator revokes every token this AppRole mount issued (as after a leak), and the API's with them.
      if (vault.auth.method !== 'token') throw new Error('expected the root token for the operator');
      const revoke = await fetch(`${vault.address}/v1/sys/leases/revoke-prefix/auth/${vault.approleMount}/login`, {
        method: 'PUT',
        headers: { 'X-Vault-Token': vault.auth.token },
      });
      expect(revoke.status).toBe(204);
      const after = await api.gql<{ createCreditCard: { id: string } }>(CREATE, {
        role: 'clerk',
        variables: { input: { name: 'After', pan: panFor(201) } },
      });
      expect(after.errors).toBeUndefined();
      const read = await api.gql(READ, { role: 'processor', variables: { id: after.data?.createCreditCard.id } });
      expect(read.data).toEqual({ creditCard: { pan: panFor(201) } });
      // A request the policy denies is still denied: the fresh token changes nothing about that.
      const rotate = await api.gql('mutation { rotateKey(name: "card-pan") { latestVersion } }', { role: 'key-admin' });
      expect(rotate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await api.close();
      await transit.close();
    }
  });

  it('refuses to start on a root token unless ALLOW_ROOT_TOKEN=true', async () => {
    const config: Config = { ...backends.config, transit: { ...vault, allowRootToken: false } };
    await expect(startApp(config, { database: backends.database })).rejects.toThrow(
      /refusing to run on a Vault root token.*ALLOW_ROOT_TOKEN=true/,
    );
  });
});
