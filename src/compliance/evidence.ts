import path from 'node:path';
import { type MappedTest, PCI_DSS_REQUIREMENTS, PCI_TAG, type Requirement } from './pci-dss-controls.ts';

/** The part of vitest's JSON report (`--reporter=json`) the evidence reads. */
export interface VitestReport {
  startTime?: number;
  numTotalTests?: number;
  testResults: Array<{
    /** The test file's absolute path. */
    name: string;
    assertionResults: Array<{ fullName: string; status: string; failureMessages?: string[] }>;
  }>;
}

/** What became of a mapped test in the run: `skipped` covers vitest's skipped, pending and todo. */
export type TestOutcome = 'passed' | 'failed' | 'skipped' | 'missing';

export interface TestEvidence extends MappedTest {
  outcome: TestOutcome;
}

export interface RequirementEvidence extends Omit<Requirement, 'tests'> {
  /** passed: every mapped test passed; failed: one did not; not tested: a deployer's requirement mapped to no test. */
  result: 'passed' | 'failed' | 'not tested';
  tests: TestEvidence[];
}

export interface EvidenceProblem {
  requirement: string;
  message: string;
}

export interface Evidence {
  rows: RequirementEvidence[];
  problems: EvidenceProblem[];
}

const OUTCOME_WORDS: Record<Exclude<TestOutcome, 'passed'>, string> = {
  failed: 'failed',
  skipped: 'did not run (skipped)',
  missing: 'does not exist in this run',
};

/** Each test of the report by `file::full name`, with its outcome; file paths relative to `root`. */
function outcomesOf(report: VitestReport, root: string): Map<string, TestOutcome> {
  const outcomes = new Map<string, TestOutcome>();
  for (const file of report.testResults) {
    const relative = path.relative(root, file.name).split(path.sep).join('/');
    for (const test of file.assertionResults) {
      const outcome: TestOutcome =
        test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped';
      outcomes.set(`${relative}::${test.fullName}`, outcome);
    }
  }
  return outcomes;
}

/**
 * The matrix with the result of each mapped test in this run, and what keeps it from being evidence:
 * a mapped test missing, skipped or failed; a requirement transitql meets that maps no test; a test
 * tagged `[PCI <id>]` that the matrix does not map under that requirement.
 */
export function evaluate(
  report: VitestReport,
  root: string,
  requirements: readonly Requirement[] = PCI_DSS_REQUIREMENTS,
): Evidence {
  const outcomes = outcomesOf(report, root);
  const problems: EvidenceProblem[] = [];
  const rows = requirements.map((requirement): RequirementEvidence => {
    const tests = requirement.tests.map((test) => ({
      ...test,
      outcome: outcomes.get(`${test.file}::${test.name}`) ?? ('missing' as const),
    }));
    for (const test of tests) {
      if (test.outcome !== 'passed')
        problems.push({
          requirement: requirement.id,
          message: `${test.file} › ${test.name}: ${OUTCOME_WORDS[test.outcome]}`,
        });
    }
    if (requirement.owner === 'transitql' && tests.length === 0)
      problems.push({ requirement: requirement.id, message: 'maps no test: a control transitql claims needs one' });
    const result =
      tests.length === 0 ? 'not tested' : tests.every((test) => test.outcome === 'passed') ? 'passed' : 'failed';
    return { ...requirement, tests, result };
  });

  const mapped = new Set(requirements.flatMap((r) => r.tests.map((test) => `${r.id}::${test.file}::${test.name}`)));
  for (const key of outcomes.keys()) {
    const [file, name] = key.split(/::(.*)/s) as [string, string];
    for (const [, id] of name.matchAll(PCI_TAG)) {
      if (!mapped.has(`${id}::${file}::${name}`))
        problems.push({
          requirement: id as string,
          message: `${file} › ${name}: tagged [PCI ${id}] but not in the matrix under ${id}`,
        });
    }
  }
  return { rows, problems };
}
