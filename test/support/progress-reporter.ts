import { performance } from 'node:perf_hooks';
import type { Reporter, TestModule, TestSpecification, Vitest } from 'vitest/node';

/** A line per finished test file: how many of how many are done, the time so far, and the file's own time. */
export default class ProgressReporter implements Reporter {
  private vitest: Vitest | undefined;
  private total = 0;
  private done = 0;
  private start = 0;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.total = specifications.length;
    this.done = 0;
    this.start = performance.now();
  }

  onTestModuleEnd(testModule: TestModule): void {
    this.done += 1;
    const elapsed = Math.round((performance.now() - this.start) / 1000);
    const own = (testModule.diagnostic().duration / 1000).toFixed(1);
    const state = testModule.state() === 'failed' ? 'FAILED' : testModule.state();
    this.vitest?.logger.log(
      `[${this.done}/${this.total} files, ${elapsed} s] ${testModule.relativeModuleId} ${state} (${own} s)`,
    );
  }
}
