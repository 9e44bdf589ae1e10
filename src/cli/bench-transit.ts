import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DecryptMeasurement } from '../bench/measure-decrypt.ts';
import type { Transit, TransitConfig, VaultTransitConfig } from '../field-encryption/index.ts';
import { parseCommandArgs } from './args.ts';
import { renderTable } from './table.ts';

const FULL_SIZES = [1, 100, 1_000, 10_000];
const QUICK_SIZES = [1, 100];
/** Naive decrypts over HTTP beyond this many are extrapolated from this many. */
const VAULT_NAIVE_SAMPLE = 1_000;
const KEY = 'bench-key';

interface BenchBackend {
  name: string;
  description: string;
  transit: Transit;
  naiveSampleLimit: number;
  dispose(): Promise<void>;
}

/** The transit code, loaded once the arguments are known to be good: --help answers without it. */
type Encryption = typeof import('../field-encryption/index.ts');

interface BenchRow extends DecryptMeasurement {
  backend: string;
}

/**
 * `npm run bench:transit [-- --quick] [--out file]`: batched vs one-call-per-value decryption on the
 * embedded engine and, when VAULT_ADDR and a token are configured, on Vault/OpenBao (throwaway mount).
 */
async function main(): Promise<void> {
  const { values } = parseCommandArgs({
    command: 'npm run bench:transit --',
    usage: '[--quick] [--out file.json]',
    help: [
      'Times batched against one-call-per-value decryption of 1 to 10,000 values on the embedded engine and,',
      'when VAULT_ADDR and a token are set, on Vault/OpenBao (in a throwaway mount).',
      '  --quick          stop at 100 values',
      '  --out file.json  where to write the report (default bench-results/transit.json)',
    ].join('\n'),
    options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const sizes = values.quick ? QUICK_SIZES : FULL_SIZES;
  const outFile = path.resolve(values.out ?? 'bench-results/transit.json');
  const [{ measureDecrypt }, { loadConfig }, encryption] = await Promise.all([
    import('../bench/measure-decrypt.ts'),
    import('../config.ts'),
    import('../field-encryption/index.ts'),
  ]);
  const config = loadConfig();
  const backends = [embeddedBackend(encryption, config.transit)];
  if (config.transit.kind === 'vault') backends.push(await vaultBackend(encryption, config.transit));

  const rows: BenchRow[] = [];
  try {
    for (const backend of backends) {
      console.error(`bench: ${backend.name}: ${backend.description}`);
      await backend.transit.createKey(KEY);
      await measureDecrypt(backend.transit, KEY, 200, 200);
      for (const n of sizes) {
        console.error(`bench: ${backend.name}: decrypting ${n.toLocaleString('en')} values`);
        rows.push({
          backend: backend.name,
          ...(await measureDecrypt(backend.transit, KEY, n, backend.naiveSampleLimit)),
        });
      }
    }
  } finally {
    for (const backend of backends) await backend.dispose();
  }

  console.log(table(rows, config.transit.batching.batchSize));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const report = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    quick: values.quick,
    batchSize: config.transit.batching.batchSize,
    concurrency: config.transit.batching.concurrency,
    backends: backends.map(({ name, description }) => ({ name, description })),
    rows: rows.map((row) => ({ ...row, ratio: row.naiveMs / row.batchedMs })),
  };
  fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`bench: wrote ${outFile}`);
}

function embeddedBackend({ createTransit }: Encryption, config: TransitConfig): BenchBackend {
  const transit = createTransit({
    kind: 'embedded',
    keyDir: undefined,
    masterKey: randomBytes(32),
    masterKeyFile: undefined,
    batching: config.batching,
  });
  return {
    name: 'embedded',
    description: 'embedded engine, keyring in memory',
    transit,
    naiveSampleLimit: Number.POSITIVE_INFINITY,
    dispose: () => transit.close(),
  };
}

async function vaultBackend(
  { VaultSession, VaultTransit }: Encryption,
  config: VaultTransitConfig,
): Promise<BenchBackend> {
  const mount = `transitql-bench-${randomBytes(4).toString('hex')}`;
  const session = new VaultSession({ ...config, mount });
  const transit = new VaultTransit(session, config.batching);
  await transit.ensureEngine();
  return {
    name: 'vault',
    description: `${await transit.describe()}, throwaway mount`,
    transit,
    naiveSampleLimit: VAULT_NAIVE_SAMPLE,
    dispose: async () => {
      await session.request('DELETE', `/sys/mounts/${mount}`, undefined, 'unmount the bench mount');
      await transit.close();
    },
  };
}

function table(rows: BenchRow[], batchSize: number): string {
  const output = renderTable(
    ['backend', 'N', 'batched ms', 'naive ms', 'naive / batched'],
    rows.map((row) => [
      row.backend,
      row.n.toLocaleString('en'),
      row.batchedMs.toFixed(2),
      `${row.naiveMs.toFixed(2)}${row.naiveSampled < row.n ? ` (est. from ${row.naiveSampled.toLocaleString('en')})` : ''}`,
      `${(row.naiveMs / row.batchedMs).toFixed(1)}x`,
    ]),
    { align: ['left', 'right', 'right', 'right', 'right'] },
  );
  return `${output}\nbatched = one transit.decrypt call (chunks of ${batchSize}); naive = one call per value, sequential`;
}

main().catch(async (error: unknown) => (await import('../startup-error.ts')).exitWithStartupError(error));
