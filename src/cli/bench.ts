import path from 'node:path';
import { parseCommandArgs } from './args.ts';

/** `npm run bench [-- --quick] [-- --out file.json]`: end-to-end benchmark on the configured backends. */
async function main(): Promise<void> {
  const { values } = parseCommandArgs({
    command: 'npm run bench --',
    usage: '[--quick] [--out file.json]',
    help: [
      'End-to-end benchmark: starts the API in a child process on the configured backends and loads it over HTTP.',
      '  --quick          small sizes (a smoke run); targets that need full sizes print n/a (quick)',
      '  --out file.json  where to write the report (default bench-results/bench.json)',
    ].join('\n'),
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results/bench.json' },
    },
  });
  // Loaded once the arguments are known to be good: --help and usage errors answer without them.
  const [{ formatReport, writeReport }, { runBench }, { FULL_SIZES, QUICK_SIZES }] = await Promise.all([
    import('../bench/report.ts'),
    import('../bench/run-bench.ts'),
    import('../bench/scenarios.ts'),
  ]);
  const mode = values.quick ? 'quick' : 'full';
  const report = await runBench({
    env: process.env,
    mode,
    sizes: values.quick ? QUICK_SIZES : FULL_SIZES,
    log: (line) => console.log(line),
  });
  console.log(formatReport(report));
  const file = path.resolve(values.out);
  writeReport(report, file);
  console.log(`written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
