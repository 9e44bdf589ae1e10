import fs from 'node:fs';
import path from 'node:path';
import { renderTable } from '../cli/table.ts';
import type { BenchReport } from './run-bench.ts';

/** The scenarios as a table, then the ratios and targets, as printed by `npm run bench`. */
export function formatReport(report: BenchReport): string {
  const table = renderTable(
    [
      'scenario',
      'requests',
      'req/s',
      'p50 ms',
      'p99 ms',
      'API CPU ms/req',
      'transit calls/req',
      'vault HTTP/req',
      'peak RSS MB',
    ],
    report.scenarios.map((scenario) => [
      scenario.title,
      scenario.requests,
      scenario.requestsPerSecond,
      scenario.p50Ms,
      scenario.p99Ms,
      scenario.apiCpuMsPerRequest ?? 'n/a',
      scenario.transitCallsPerRequest,
      scenario.vaultRequestsPerRequest ?? 'n/a',
      scenario.peakRssMb ?? 'n/a',
    ]),
  );
  const floors = renderTable(
    ['raw transit (no API), for', 'requests', 'values/req', 'p50 ms', 'p99 ms'],
    report.floors.map((floor) => [floor.title, floor.requests, floor.valuesPerRequest, floor.p50Ms, floor.p99Ms]),
  );
  const overFloor = renderTable(
    [
      'decrypted scenario (p50 ms)',
      'p50 ms',
      'ciphertext p50',
      'raw transit p50',
      'floor (sum)',
      'p50 / floor',
      'API overhead ms',
      'overhead / raw transit',
      'of it: reveal record ms (mean)',
    ],
    report.overFloor.map((row) => [
      row.title,
      row.p50Ms,
      row.ciphertextP50Ms,
      row.rawTransitP50Ms,
      row.floorMs,
      row.p50OverFloor,
      row.apiOverheadMs,
      row.overheadOverRawTransit,
      row.revealRecordMs,
    ]),
  );
  const unjudged = report.mode === 'quick' ? 'n/a (quick)' : 'n/a';
  const targets = report.targets.map(
    (target) =>
      `  ${(target.met === null ? unjudged : target.met ? 'met' : 'MISS').padEnd(unjudged.length)}  ${target.description}: ${target.value}`,
  );
  return [
    `transitql bench (${report.mode}) on ${report.backends.database}; ${report.backends.transit}`,
    `${report.machine.cpus} CPUs, load average ${report.machine.loadAverageAtStart.map((load) => load.toFixed(1)).join(' ')} at start; ` +
      `batch size ${report.batching.batchSize}, concurrency ${report.batching.concurrency}, window ${report.batching.windowMs} ms; ` +
      `API NODE_OPTIONS: ${report.apiNodeOptions ?? 'none'}`,
    table,
    'the floor: the same values sent straight to the transit backend as the API sends them (measured in this run)',
    floors,
    'API overhead = decrypted p50 - ciphertext p50 (same page size) - raw transit p50',
    overFloor,
    `decrypted/ciphertext list time: ${report.ratios.decryptedOverCiphertext} (medians: ${report.ratios.decryptedOverCiphertextMedian}); ` +
      `batched speed-up over naive: ${report.ratios.batchedSpeedup}x (medians: ${report.ratios.batchedSpeedupMedian}x), ` +
      `over naive one after another: ${report.ratios.batchedSpeedupSequential}x (medians: ${report.ratios.batchedSpeedupSequentialMedian}x); ` +
      `API overhead / raw transit: ${report.ratios.overheadOverRawTransit}`,
    `reveal record on/off, decrypted list time: ${report.ratios.auditedOverUnaudited} (medians: ${report.ratios.auditedOverUnauditedMedian})`,
    `lookup by number / by id: ${report.ratios.byPanOverById} (medians: ${report.ratios.byPanOverByIdMedian})`,
    `API CPU per decrypted page / per ciphertext page: ${report.ratios.decryptedCpuOverClerk ?? 'n/a'}; ` +
      `highest p50 / floor of the batched decrypted scenarios: ${report.ratios.batchedOverFloor}`,
    `load average at end: ${report.machine.loadAverageAtEnd.map((load) => load.toFixed(1)).join(' ')}`,
    report.mode === 'quick' ? 'targets (judged by full runs only; quick sizes are too small):' : 'targets:',
    ...targets,
  ].join('\n');
}

export function writeReport(report: BenchReport, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
