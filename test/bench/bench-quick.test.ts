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
import { type Backends, backendSets, realBackendsEnv } from '../support/backends.ts';

const run = promisify(execFile);
const SCENARIOS = [
  'bulk-create',
  'concurrent-create',
  'list-ciphertext',
  'list-decrypted',
  'list-page-batched',
  'list-page-naive',
  'list-page-naive-sequential',
  'page-all-decrypted',
  'lookup-by-id',
  'lookup-by-pan',
  'list-decrypted-audited',
  'list-decrypted-unaudited',
];
/** Raw transit for the values of each decrypted scenario (no API), and the scenario each is the floor of. */
const FLOORS = [
  ['raw-transit-list', 'list-decrypted'],
  ['raw-transit-page-batched', 'list-page-batched'],
  ['raw-transit-page-naive', 'list-page-naive'],
  ['raw-transit-page-naive-sequential', 'list-page-naive-sequential'],
];
const OVER_FLOOR = [
  'list-decrypted',
  'list-page-batched',
  'list-page-naive',
  'list-page-naive-sequential',
  'page-all-decrypted',
];

/** The environment `npm run bench` sees for these backends: nothing else from this process's environment. */
async function benchEnvironment(backends: Backends | undefined): Promise<Record<string, string>> {
  const base = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
  if (backends === undefined) return base;
  const real = realBackendsEnv(backends);
  if (real === undefined) throw new Error('expected Postgres and a token-authenticated Vault');
  await ensureKeys(backends.transit, transitKeysOf(buildSchema(backends.config.limits)), { create: true });
  return { ...base, ...real };
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
    expect(byId.get('list-page-naive-sequential')?.transitCallsPerRequest).toBe(QUICK_SIZES.naiveCards + SEAL);
    // Every decrypted request wrote its reveal record; a ciphertext one wrote none.
    expect(byId.get('list-decrypted')?.revealRecordMsPerRequest).toBeGreaterThan(0);
    expect(byId.get('list-ciphertext')?.revealRecordMsPerRequest).toBe(0);

    // The floor: measured in the same run for every decrypted scenario, as numbers (what they are is the bench's output).
    expect(report.floors.map((floor) => [floor.id, floor.forScenario])).toEqual(FLOORS);
    for (const floor of report.floors) {
      expect(floor.requests, floor.id).toBeGreaterThan(0);
      expect(floor.valuesPerRequest, floor.id).toBe(
        floor.forScenario === 'list-decrypted' ? QUICK_SIZES.pageSize : QUICK_SIZES.naiveCards,
      );
      expect(Number.isFinite(floor.p50Ms) && floor.p50Ms > 0, floor.id).toBe(true);
      expect(floor.p99Ms, floor.id).toBeGreaterThanOrEqual(floor.p50Ms);
    }
    expect(report.overFloor.map((row) => row.scenario)).toEqual(OVER_FLOOR);
    for (const row of report.overFloor) {
      for (const value of [
        row.rawTransitP50Ms,
        row.ciphertextP50Ms,
        row.floorMs,
        row.apiOverheadMs,
        row.overheadOverRawTransit,
        row.p50OverFloor,
        row.revealRecordMs,
      ]) {
        expect(Number.isFinite(value), row.scenario).toBe(true);
      }
      expect(row.apiOverheadMs, row.scenario).toBeCloseTo(row.p50Ms - row.ciphertextP50Ms - row.rawTransitP50Ms, 0);
    }
    expect(stdout).toMatch(/raw transit \(no API\)/);
    expect(stdout).toMatch(/API overhead/);
    // The bench-only entry serves the same list without the record: no seal, so the ratio is its cost.
    expect(byId.get('list-decrypted-audited')?.transitCallsPerRequest).toBe(1 + SEAL);
    expect(byId.get('list-decrypted-unaudited')?.transitCallsPerRequest).toBe(1);
    expect(report.ratios.auditedOverUnaudited).toBeGreaterThan(0);
    expect(byId.get('concurrent-create')?.transitCallsPerRequest).toBeGreaterThan(0);
    // A create costs an encrypt (card-pan) and an HMAC (card-pan-index): two keys, so two batches to share.
    expect(byId.get('concurrent-create')?.transitCallsPerRequest).toBeLessThanOrEqual(2);
    expect(byId.get('lookup-by-id')?.transitCallsPerRequest).toBe(0);
    // A lookup by number: the index's HMAC, and the seal of its existence answer's reveal record entry.
    expect(byId.get('lookup-by-pan')?.transitCallsPerRequest).toBe(1 + SEAL);
    expect(report.ratios.byPanOverById).toBeGreaterThan(0);
    expect(stdout).toMatch(/lookup by number \/ by id: [\d.]+ \(medians: [\d.]+\)/);
    expect(report.ratios.decryptedOverCiphertext).toBeGreaterThan(0);
    expect(report.ratios.batchedSpeedup).toBeGreaterThan(0);
    expect(report.ratios.batchedSpeedupSequential).toBeGreaterThan(0);
    expect(Number.isFinite(report.ratios.overheadOverRawTransit)).toBe(true);
    // CPU from /proc: the decrypted page costs the API more than the ciphertext page of the same size.
    expect(report.ratios.decryptedCpuOverClerk).toBeGreaterThan(1);
    expect(report.ratios.batchedOverFloor).toBeGreaterThan(0);
    expect(report.targets).toHaveLength(9);
    // A quick run cannot judge targets set for full sizes: it says so instead of printing MISS.
    expect(report.targets.map((target) => target.met)).toEqual(Array(9).fill(null));
    expect(stdout).not.toMatch(/MISS/);
    expect(stdout.match(/n\/a \(quick\)/g)).toHaveLength(9);
  });
});
