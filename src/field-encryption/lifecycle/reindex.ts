import type { BlindIndexValues, IndexReplacement } from '../storage/blind-index-values.ts';
import { type Transit, valuesOf } from '../transit/transit.ts';
import { type Pace, paceOf } from './pace.ts';

export interface ReindexProgress extends Pace {
  column: string;
  /** Rows looked at so far, of `total`. */
  done: number;
  total: number;
  reindexed: number;
}

export interface ReindexSummary {
  key: string;
  column: string;
  latestVersion: number;
  /** Rows without an index or under an older version when the run started. */
  total: number;
  reindexed: number;
  /** Changed by a writer between read and write; the writer's value stands. */
  skipped: number;
  /** Source values that did not decrypt: left as they were, counted, never logged. */
  undecryptable: number;
  seconds: number;
}

export interface ReindexOptions {
  batchSize?: number;
  onProgress?: (progress: ReindexProgress) => void;
  /** Stops between batches; rows written so far stay written, a rerun does what is left. */
  signal?: AbortSignal;
}

/**
 * Recomputes a blind index under its key's latest version: rows without an index, or with one
 * under an older version, a batch at a time: the source is decrypted (bound values with their row
 * as context), HMACed under the latest version, and written only where the row still holds what was
 * read. Plaintext exists only in memory, for one batch, and is overwritten once HMACed. Online
 * (writers keep writing; lookups match every live version meanwhile) and resumable (a rerun finds
 * only what is left).
 */
export async function reindexStoredValues(
  transit: Transit,
  store: BlindIndexValues,
  options: ReindexOptions = {},
): Promise<ReindexSummary> {
  const { key, label: column } = store.column;
  const source = store.source;
  const { latestVersion } = await transit.readKey(key);
  const batchSize = options.batchSize ?? 250;
  const total = await store.countStale(latestVersion);
  const summary: ReindexSummary = {
    key,
    column,
    latestVersion,
    total,
    reindexed: 0,
    skipped: 0,
    undecryptable: 0,
    seconds: 0,
  };
  const started = performance.now();
  let after: string | undefined;
  let done = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.next({ latestVersion, after, limit: batchSize });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id;
    const opened = await transit.decrypt(
      source.key,
      batch.map((row) => ({
        ciphertext: row.ciphertext,
        ...(source.bindTo === undefined ? {} : { context: Buffer.from(row.id, 'utf8') }),
      })),
    );
    const readable = batch.flatMap((row, index) => {
      const result = opened[index];
      return result?.ok === true ? [{ row, plaintext: result.value }] : [];
    });
    summary.undecryptable += batch.length - readable.length;
    try {
      const hmacs = valuesOf(
        await transit.hmac(
          key,
          readable.map(({ plaintext }) => ({ input: plaintext })),
          { version: latestVersion },
        ),
        readable.length,
      );
      const replacements: IndexReplacement[] = readable.map(({ row }, index) => ({
        ...row,
        next: hmacs[index] as string,
      }));
      const written = await store.replace(replacements);
      summary.reindexed += written;
      summary.skipped += replacements.length - written;
    } finally {
      for (const { plaintext } of readable) plaintext.fill(0);
    }
    done += batch.length;
    options.onProgress?.({
      column,
      done,
      total,
      reindexed: summary.reindexed,
      ...paceOf(done, total, started),
    });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
