import type { Replacement, StoredValues } from '../storage/stored-values.ts';
import type { Transit } from '../transit/transit.ts';
import { type Pace, paceOf } from './pace.ts';

export interface RewrapProgress extends Pace {
  key: string;
  /** `table.column` being rewrapped. */
  column: string;
  done: number;
  total: number;
}

export interface RewrapSummary {
  key: string;
  /** `table.column` rewrapped; `*` for the sum over every column of the key. */
  column: string;
  latestVersion: number;
  /** Values older than the latest version when the run started. */
  total: number;
  rewrapped: number;
  /** Changed by someone else between read and write; a rerun picks them up if still old. */
  skipped: number;
  /** Values transit could not rewrap (e.g. corrupt); left as they were. */
  failed: number;
  seconds: number;
}

export interface RewrapOptions {
  batchSize?: number;
  onProgress?: (progress: RewrapProgress) => void;
  /** Stops between batches; rows written so far stay written, a rerun finishes the job. */
  signal?: AbortSignal;
}

/**
 * Moves every value of one stored column to the key's latest version with transit rewrap, so the
 * plaintext never leaves the key management system; bound values keep their record's context.
 * Online and resumable: it only ever selects rows still below the latest version, and writes a row
 * only if it is unchanged since it was read.
 */
export async function rewrapStoredValues(
  transit: Transit,
  store: StoredValues,
  options: RewrapOptions = {},
): Promise<RewrapSummary> {
  const { key, label: column, bindTo } = store.column;
  const batchSize = options.batchSize ?? 500;
  const { latestVersion } = await transit.readKey(key);
  const total = await store.countBelow(latestVersion);
  const started = performance.now();
  const summary: RewrapSummary = { key, column, latestVersion, total, rewrapped: 0, skipped: 0, failed: 0, seconds: 0 };
  let after: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.next({ belowVersion: latestVersion, after, limit: batchSize });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id;
    const results = await transit.rewrap(
      key,
      batch.map((row) => ({
        ciphertext: row.ciphertext,
        ...(bindTo === undefined ? {} : { context: Buffer.from(row.id, 'utf8') }),
      })),
    );
    const replacements: Replacement[] = [];
    batch.forEach((row, index) => {
      const result = results[index];
      if (result?.ok !== true) summary.failed += 1;
      else replacements.push({ id: row.id, previous: row.ciphertext, ciphertext: result.value });
    });
    const written = await store.replace(replacements);
    summary.rewrapped += written;
    summary.skipped += replacements.length - written;
    const done = summary.rewrapped + summary.skipped + summary.failed;
    options.onProgress?.({
      key,
      column,
      done,
      total,
      ...paceOf(done, total, started),
    });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
