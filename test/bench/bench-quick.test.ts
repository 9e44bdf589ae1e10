import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/run-bench.ts';
import { QUICK_SIZES } from '../../src/bench/scenarios.ts';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import { ensureKeys } from '../../src/field-encryption/transit/ensure-keys.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import { type Backends, backendSets } from '../support/backends.ts';

const run = promisify(execFile);
const SCENARIOS = [
  'bulk-create',
  'concurrent-create',
  'list-ciphertext',
  'list-decrypted',
  'list-page-batched',
  'list-page-naive',
  'page-all-decrypted',
  'lookup-by-id',
  'lookup-by-pan',
];

/** The environment `npm run bench` sees for these backends: nothing else from this process's environment. */
async function benchEnvironment(backends: Backends | undefined): Promise<Record<string, string>> {
  const base = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
  if (backends === undefined) return base;
  const { database, transit } = backends.config;
  if (database.kind !== 'postgres' || transit.kind !== 'vault' || transit.auth.method !== 'token') {
    throw new Error('expected Postgres and a token-authenticated Vault');
  }
  await ensureKeys(backends.transit, transitKeysOf(buildSchema(backends.config.limits)), { create: true });
  return {
    ...base,
    DATABASE_URL: database.url,
    VAULT_ADDR: transit.address,
    VAULT_TOKEN: transit.auth.token,
    VAULT_TRANSIT_MOUNT: transit.mount,
    ALLOW_ROOT_TOKEN: 'true',
  };
}

describe.each(backendSets())('npm run bench -- --quick [$name]', (set) => {
  let backends: Backends | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-bench-test-'));
  afterAll(async () => {
    await backends?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every scenario against the API and writes sane figures to the JSON file', { timeout: 600_000 }, async () => {
    // The embedded API runs in its own process with its own data directory; the real backends are shared.
    if (set.name !== 'embedded') backends = await set.open();
    const out = path.join(dir, 'bench.json');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/bench.ts', '--quick', '--out', out], {
      env: await benchEnvironment(backends),
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as BenchReport;

    expect(report.mode).toBe('quick');
    expect(report.backends.database).toMatch(set.name === 'embedded' ? /^PGlite/ : /^PostgreSQL/);
    expect(report.scenarios.map((scenario) => scenario.id)).toEqual(SCENARIOS);
    for (const scenario of report.scenarios) {
      expect(scenario.requests, scenario.id).toBeGreaterThan(0);
      expect(scenario.requestsPerSecond, scenario.id).toBeGreaterThan(0);
      expect(scenario.p50Ms, scenario.id).toBeGreaterThan(0);
      expect(scenario.p99Ms, scenario.id).toBeGreaterThanOrEqual(scenario.p50Ms);
      expect(scenario.peakRssMb, scenario.id).toBeGreaterThan(0);
      if (set.name === 'embedded') expect(scenario.vaultRequestsPerRequest, scenario.id).toBeNull();
      else
        expect(scenario.vaultRequestsPerRequest, scenario.id).toBeGreaterThanOrEqual(scenario.transitCallsPerRequest);
    }
    const byId = new Map(report.scenarios.map((scenario) => [scenario.id, scenario]));
    expect(byId.get('list-ciphertext')?.transitCallsPerRequest).toBe(0);
    // A revealing request costs its decrypts plus one transit HMAC sealing its reveal record.
    const SEAL = 1;
    expect(byId.get('list-decrypted')?.transitCallsPerRequest).toBe(1 + SEAL);
    expect(byId.get('list-page-batched')?.transitCallsPerRequest).toBe(1 + SEAL);
    expect(byId.get('list-page-naive')?.transitCallsPerRequest).toBe(QUICK_SIZES.naiveCards + SEAL);
    expect(byId.get('concurrent-create')?.transitCallsPerRequest).toBeGreaterThan(0);
    // A create costs an encrypt (card-pan) and an HMAC (card-pan-index): two keys, so two batches to share.
    expect(byId.get('concurrent-create')?.transitCallsPerRequest).toBeLessThanOrEqual(2);
    expect(byId.get('lookup-by-id')?.transitCallsPerRequest).toBe(0);
    expect(byId.get('lookup-by-pan')?.transitCallsPerRequest).toBe(1);
    expect(report.ratios.byPanOverById).toBeGreaterThan(0);
    expect(stdout).toMatch(/lookup by number \/ by id: [\d.]+ \(medians: [\d.]+\)/);
    expect(report.ratios.decryptedOverCiphertext).toBeGreaterThan(0);
    expect(report.ratios.batchedSpeedup).toBeGreaterThan(0);
    expect(report.targets).toHaveLength(4);
    // A quick run cannot judge targets set for full sizes: it says so instead of printing MISS.
    expect(report.targets.map((target) => target.met)).toEqual([null, null, null, null]);
    expect(stdout).not.toMatch(/MISS/);
    expect(stdout.match(/n\/a \(quick\)/g)).toHaveLength(4);
  });
});
