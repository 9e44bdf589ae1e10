import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type VitestReport } from '../../src/compliance/evidence.ts';
import { PCI_DSS_REQUIREMENTS, type Requirement } from '../../src/compliance/pci-dss-controls.ts';

const run = promisify(execFile);
const VITEST = path.resolve('node_modules/vitest/vitest.mjs');

/** A tiny suite vitest really runs: one test passes, one is skipped, one fails, one carries a tag no row maps. */
const FIXTURE = `
describe('fixture controls', () => {
  it('the control holds', () => expect(1 + 1).toBe(2));
  it.skip('a skipped proof', () => expect(true).toBe(true));
  it('a broken control', () => expect('removed').toBe('present'));
  it('[PCI 9.9.9] a tagged proof nobody mapped', () => expect(true).toBe(true));
});
`;

const requirement = (id: string, ...names: string[]): Requirement => ({
  id,
  summary: `requirement ${id}`,
  owner: 'transitql',
  control: 'a control',
  tests: names.map((name) => ({ file: 'controls.test.ts', name })),
});

describe('npm run evidence: the PCI DSS matrix from a vitest JSON report', () => {
  let dir: string;
  let report: VitestReport;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-evidence-'));
    fs.writeFileSync(path.join(dir, 'controls.test.ts'), FIXTURE);
    fs.writeFileSync(path.join(dir, 'vitest.config.mjs'), 'export default { test: { globals: true } };\n');
    const outputFile = path.join(dir, 'vitest.json');
    // The run fails (one test does): the report is written all the same.
    await run(process.execPath, [VITEST, 'run', '--root', dir, '--reporter=json', `--outputFile=${outputFile}`], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
    }).catch(() => undefined);
    report = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as VitestReport;
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('marks a requirement passed when each of its tests ran and passed in the run', () => {
    const evidence = evaluate(report, dir, [requirement('3.5.1', 'fixture controls the control holds')]);
    expect(evidence.rows.map(({ id, result, tests }) => ({ id, result, tests: tests.map((t) => t.outcome) }))).toEqual([
      { id: '3.5.1', result: 'passed', tests: ['passed'] },
    ]);
    // The tagged test no row maps is a problem of its own.
    expect(evidence.problems).toEqual([
      {
        requirement: '9.9.9',
        message:
          'controls.test.ts › fixture controls [PCI 9.9.9] a tagged proof nobody mapped: tagged [PCI 9.9.9] but not in the matrix under 9.9.9',
      },
    ]);
  });

  it('names the requirement whose mapped test was skipped, does not exist, or failed', () => {
    const evidence = evaluate(report, dir, [
      requirement('3.5.1', 'fixture controls the control holds'),
      requirement('10.2.1.1', 'fixture controls a skipped proof'),
      requirement('10.2.1.2', 'fixture controls a proof that was renamed away'),
      requirement('10.3.4', 'fixture controls a broken control'),
      requirement('9.9.9', 'fixture controls [PCI 9.9.9] a tagged proof nobody mapped'),
    ]);
    expect(evidence.rows.map((row) => [row.id, row.result])).toEqual([
      ['3.5.1', 'passed'],
      ['10.2.1.1', 'failed'],
      ['10.2.1.2', 'failed'],
      ['10.3.4', 'failed'],
      ['9.9.9', 'passed'],
    ]);
    expect(evidence.problems).toEqual([
      {
        requirement: '10.2.1.1',
        message: 'controls.test.ts › fixture controls a skipped proof: did not run (skipped)',
      },
      {
        requirement: '10.2.1.2',
        message: 'controls.test.ts › fixture controls a proof that was renamed away: does not exist in this run',
      },
      { requirement: '10.3.4', message: 'controls.test.ts › fixture controls a broken control: failed' },
    ]);
  });

  it('refuses a requirement transitql claims with no test behind it', () => {
    const evidence = evaluate(report, dir, [requirement('3.7.2')]);
    expect(evidence.problems[0]).toEqual({
      requirement: '3.7.2',
      message: 'maps no test: a control transitql claims needs one',
    });
  });

  describe('the command, on reports in the format vitest writes', () => {
    /** A report of this repository's run in which every test the matrix maps passed. */
    const passingReport = (): VitestReport => {
      const byFile = new Map<string, Array<{ fullName: string; status: string }>>();
      for (const { file, name } of PCI_DSS_REQUIREMENTS.flatMap((r) => r.tests)) {
        const tests = byFile.get(file) ?? [];
        if (!tests.some((test) => test.fullName === name)) tests.push({ fullName: name, status: 'passed' });
        byFile.set(file, tests);
      }
      return {
        startTime: Date.parse('2026-12-08T02:00:00Z'),
        numTotalTests: [...byFile.values()].flat().length,
        testResults: [...byFile].map(([file, tests]) => ({
          name: path.resolve(file),
          assertionResults: tests.map((test) => ({ ...test, failureMessages: [] })),
        })),
      };
    };

    const evidenceCommand = async (report: VitestReport) => {
      const reportFile = path.join(dir, 'report.json');
      const out = path.join(dir, 'compliance');
      fs.writeFileSync(reportFile, JSON.stringify(report));
      const result = await run(process.execPath, ['--import', 'tsx', 'src/cli/evidence.ts', reportFile, out]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      return {
        ...result,
        markdown: fs.readFileSync(path.join(out, 'pci-dss-matrix.md'), 'utf8'),
        json: JSON.parse(fs.readFileSync(path.join(out, 'pci-dss-matrix.json'), 'utf8')) as {
          passed: boolean;
          requirements: Array<{ id: string; result: string }>;
        },
      };
    };

    it('writes the matrix as Markdown and JSON and exits 0 when every mapped test passed', {
      timeout: 60_000,
    }, async () => {
      const { code, stdout, markdown, json } = await evidenceCommand(passingReport());
      expect(code).toBe(0);
      expect(stdout).toContain('every mapped test ran and passed');
      expect(json.passed).toBe(true);
      expect(json.requirements.find((row) => row.id === '10.2.1.2')?.result).toBe('passed');
      expect(markdown).toMatch(
        /^\| \[10\.2\.1\.2\]\(#10212\) +\| Log every action taken by an administrative account +\| transitql +\| 8\/8 passed +\| passed +\|$/m,
      );
      expect(markdown).toContain('Generated by `npm run evidence');
    });

    it('exits 1 naming the requirement when one mapped test is skipped', { timeout: 60_000 }, async () => {
      const report = passingReport();
      const skipped = report.testResults
        .flatMap((file) => file.assertionResults)
        .find((test) => test.fullName.includes('[PCI 10.3.4] audit verify names an edited administrative entry'));
      if (skipped === undefined) throw new Error('the matrix maps the administrative tamper test');
      skipped.status = 'skipped';
      const { code, stderr, json } = await evidenceCommand(report);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^PCI DSS 10\.3\.4: test\/field-encryption\/admin-record\.test\.ts › .* did not run \(skipped\)$/m,
      );
      expect(json.passed).toBe(false);
      expect(json.requirements.find((row) => row.id === '10.3.4')?.result).toBe('failed');
    });
  });
});
