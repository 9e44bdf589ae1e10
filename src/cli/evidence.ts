import fs from 'node:fs';
import path from 'node:path';
import { evaluate, type VitestReport } from '../compliance/evidence.ts';
import { renderJson, renderMarkdown } from '../compliance/render-matrix.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { exitWithUsageError, parseCommandArgs } from './args.ts';

const SPEC = {
  command: 'npm run evidence --',
  usage: '[<vitest-report.json> [<out-dir>]] [--run "what the run was"]',
  help: [
    'Writes the PCI DSS control matrix, each row with the result of its tests in the run the report is of,',
    'as <out-dir>/pci-dss-matrix.md and .json (defaults: test-results/vitest.json, test-results/compliance).',
    'Exits 1, naming the requirement, when a mapped test does not exist, did not run or failed, or when a',
    'test tagged [PCI <id>] is not in the matrix under that requirement.',
    '  --run text  says in the matrix what the run was (when it was not the whole suite in CI)',
  ].join('\n'),
  allowPositionals: true,
  options: { run: { type: 'string' } },
} as const;

function main(): number {
  const { positionals, values } = parseCommandArgs(SPEC);
  if (positionals.length > 2) exitWithUsageError(SPEC, 'at most a report and an output directory');
  const [reportFile = 'test-results/vitest.json', outDir = 'test-results/compliance'] = positionals;
  let report: VitestReport;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as VitestReport;
    if (!Array.isArray(report.testResults)) throw new Error('it has no testResults: not a vitest JSON report');
  } catch (error) {
    console.error(`evidence: cannot read ${reportFile}: ${(error as Error).message}`);
    return 1;
  }
  const evidence = evaluate(report, PROJECT_ROOT);
  const source = {
    report: path.relative(PROJECT_ROOT, path.resolve(reportFile)) || reportFile,
    ranAt: report.startTime === undefined ? undefined : new Date(report.startTime),
    totalTests: report.numTotalTests,
    description: values.run,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'pci-dss-matrix.md'), renderMarkdown(evidence, source));
  fs.writeFileSync(path.join(outDir, 'pci-dss-matrix.json'), renderJson(evidence, source));
  const tested = evidence.rows.filter((row) => row.tests.length > 0);
  const tests = tested.reduce((sum, row) => sum + row.tests.length, 0);
  console.log(
    `PCI DSS matrix: ${evidence.rows.length} requirements (${tested.length} with tests, ${tests} mapped tests), written to ${path.join(outDir, 'pci-dss-matrix.md')} and .json`,
  );
  if (evidence.problems.length === 0) {
    console.log('every mapped test ran and passed');
    return 0;
  }
  for (const problem of evidence.problems) console.error(`PCI DSS ${problem.requirement}: ${problem.message}`);
  console.error(`evidence: ${evidence.problems.length} problem(s); the matrix is not evidence for this run`);
  return 1;
}

process.exitCode = main();
