import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { printedTableRows } from '../support/cli-table.ts';

const run = promisify(execFile);
const real = inject('realBackends');

/** Variables the parent run may carry that would point a child at other backends. */
const CLEARED = ['DATABASE_URL', 'VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID', 'DATA_DIR'];

interface CliTarget {
  name: 'embedded' | 'postgres+openbao';
  env(): Record<string, string>;
  prepare(): Promise<void>;
  cleanup(): Promise<void>;
}

function embeddedTarget(): CliTarget {
  let dataDir = '';
  return {
    name: 'embedded',
    env: () => ({ DATA_DIR: dataDir }),
    prepare: async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-cli-'));
    },
    cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

function openbaoTarget(vault: NonNullable<typeof real>): CliTarget {
  const mount = `transit-cli-${randomBytes(4).toString('hex')}`;
  // No DATABASE_URL: the commands' administrative record goes to an embedded database of its own.
  let dataDir = '';
  return {
    name: 'postgres+openbao',
    env: () => ({
      VAULT_ADDR: vault.vaultAddr,
      VAULT_TOKEN: vault.vaultToken,
      VAULT_TRANSIT_MOUNT: mount,
      ALLOW_ROOT_TOKEN: 'true',
      DATA_DIR: dataDir,
    }),
    prepare: async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-cli-'));
    },
    cleanup: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await fetch(`${vault.vaultAddr}/v1/sys/mounts/${mount}`, {
        method: 'DELETE',
        headers: { 'X-Vault-Token': vault.vaultToken },
      });
    },
  };
}

const targets = [embeddedTarget(), ...(real === null ? [] : [openbaoTarget(real)])];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', ...extra };
  for (const name of CLEARED) if (!(name in extra)) delete env[name];
  return env;
}

async function cli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run('npx', ['tsx', script, ...args], { env: childEnv(env), timeout: 60_000 });
  return stdout;
}

describe.each(targets)('npm run transit -- setup | rotate | info [$name]', (target) => {
  beforeAll(() => target.prepare());
  afterAll(() => target.cleanup());

  it('sets up the schema keys idempotently, rotates one and reports it', { timeout: 120_000 }, async () => {
    const first = await cli('src/cli/transit.ts', ['setup'], target.env());
    expect(first).toContain('key card-pan: created');
    if (target.name === 'postgres+openbao') expect(first).toContain('enabled the transit secrets engine');

    const second = await cli('src/cli/transit.ts', ['setup'], target.env());
    expect(second).toContain('key card-pan: already present');
    expect(second).not.toContain('created');
    expect(second).not.toContain('enabled');

    const rotated = await cli('src/cli/transit.ts', ['rotate', 'card-pan'], target.env());
    expect(rotated).toMatch(/latest version\s+2/);

    const info = await cli('src/cli/transit.ts', ['info', 'card-pan'], target.env());
    expect(info).toMatch(/key card-pan \(aes256-gcm96\)/);
    expect(info).toMatch(/latest version\s+2/);
    expect(info).toMatch(/min decryption version\s+1/);

    // Each setup and the rotate are on the record, under the operating-system user; info only reads.
    const recorded = printedTableRows(await cli('src/cli/audit.ts', ['tail'], target.env())).map((row) => [
      row.subject,
      row.role,
      row.field,
    ]);
    const me = os.userInfo().username;
    expect(recorded).toEqual([
      [me, 'admin', 'key.setup'],
      [me, 'admin', 'key.setup'],
      [me, 'admin', 'key.rotate'],
    ]);
  });

  it('info without a key lists every key the schema declares: type, use, derived, exportable, versions', {
    timeout: 120_000,
  }, async () => {
    await cli('src/cli/transit.ts', ['setup'], target.env());
    const rows = printedTableRows(await cli('src/cli/transit.ts', ['info'], target.env()));
    expect(rows.map((row) => row.key)).toEqual(['card-pan', 'card-pan-index', 'reveal-seal']);
    expect(rows).toEqual([
      expect.objectContaining({ 'used for': 'encryption (@encrypted)', derived: 'yes', exportable: 'no' }),
      expect.objectContaining({ 'used for': 'blind index (@blindIndex), HMAC only', derived: 'no', exportable: 'no' }),
      expect.objectContaining({ 'used for': 'reveal record seals (HMAC)', derived: 'no', exportable: 'no' }),
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ type: 'aes256-gcm96', 'min decryption': '1', 'min encryption': '0 (latest)' });
      expect(Number(row.latest)).toBeGreaterThanOrEqual(1);
    }
    const one = await cli('src/cli/transit.ts', ['info', 'card-pan-index'], target.env());
    expect(one).toMatch(/used for\s+blind index \(@blindIndex\), HMAC only\n\s+derived\s+no\n\s+exportable\s+no/);

    if (target.name !== 'postgres+openbao') return;
    // Exportable is what Vault says of the key: one made exportable by hand shows so.
    const { VAULT_ADDR, VAULT_TOKEN, VAULT_TRANSIT_MOUNT } = target.env();
    const created = await fetch(`${VAULT_ADDR}/v1/${VAULT_TRANSIT_MOUNT}/keys/by-hand`, {
      method: 'POST',
      headers: { 'X-Vault-Token': VAULT_TOKEN ?? '' },
      body: JSON.stringify({ exportable: true }),
    });
    expect(created.ok).toBe(true);
    const byHand = await cli('src/cli/transit.ts', ['info', 'by-hand'], target.env());
    expect(byHand).toMatch(/used for\s+not declared by this schema\n\s+derived\s+no\n\s+exportable\s+yes/);
  });

  it('fails with a non-zero exit and the reason for a missing key', { timeout: 60_000 }, async () => {
    await expect(cli('src/cli/transit.ts', ['info', 'no-such-key'], target.env())).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('KEY_NOT_FOUND'),
    });
  });
});

describe.each(targets)('npm run bench:transit -- --quick [$name]', (target) => {
  beforeAll(() => target.prepare());
  afterAll(() => target.cleanup());

  it('measures N up to 100 and writes its results file', { timeout: 120_000 }, async () => {
    const out = path.join(os.tmpdir(), `transitql-bench-${randomBytes(4).toString('hex')}.json`);
    const stdout = await cli('src/cli/bench-transit.ts', ['--quick', '--out', out], target.env());
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { rows: Array<{ backend: string; n: number }> };
    fs.rmSync(out);
    const backends = target.name === 'embedded' ? ['embedded'] : ['embedded', 'vault'];
    expect(report.rows.map((row) => `${row.backend}:${row.n}`)).toEqual(
      backends.flatMap((backend) => [`${backend}:1`, `${backend}:100`]),
    );
    expect(stdout).toContain('naive / batched');
  });
});
