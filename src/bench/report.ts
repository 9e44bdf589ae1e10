import fs from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import type { BenchReport } from './run-bench.ts';

/** The scenarios as a table, then the ratios and targets, as printed by `npm run bench`. */
export function formatReport(report: BenchReport): string {
  const table = new Table({
    style: { head: [], border: [] },
    head: ['scenario', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'transit calls/req', 'vault HTTP/req', 'peak RSS MB'],
  });
  for (const scenario of report.scenarios) {
    table.push([
      scenario.title,
      scenario.requests,
      scenario.requestsPerSecond,
      scenario.p50Ms,
      scenario.p99Ms,
      scenario.transitCallsPerRequest,
      scenario.vaultRequestsPerRequest ?? 'n/a',
      scenario.peakRssMb ?? 'n/a',
    ]);
  }
  const targets = report.targets.map(
    (target) =>
      `  ${target.met === null ? 'n/a ' : target.met ? 'met ' : 'MISS'}  ${target.description}: ${target.value}`,
  );
  return [
    `transitql bench (${report.mode}) on ${report.backends.database}; ${report.backends.transit}`,
    `${report.machine.cpus} CPUs, load average ${report.machine.loadAverageAtStart.map((load) => load.toFixed(1)).join(' ')} at start; ` +
      `batch size ${report.batching.batchSize}, concurrency ${report.batching.concurrency}, window ${report.batching.windowMs} ms; ` +
      `API NODE_OPTIONS: ${report.apiNodeOptions ?? 'none'}`,
    table.toString(),
    `decrypted/ciphertext list time: ${report.ratios.decryptedOverCiphertext} (medians: ${report.ratios.decryptedOverCiphertextMedian}); ` +
      `batched speed-up over naive: ${report.ratios.batchedSpeedup}x (medians: ${report.ratios.batchedSpeedupMedian}x)`,
    'targets:',
    ...targets,
  ].join('\n');
}

export function writeReport(report: BenchReport, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
