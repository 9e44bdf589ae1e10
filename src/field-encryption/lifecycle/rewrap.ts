import { keyVersionOf } from '../transit/ciphertext.ts';
import type { Transit } from '../transit/transit.ts';
import type { Replacement, StoredCiphertexts } from './stored-ciphertexts.ts';

export interface RewrapProgress {
  key: string;
  done: number;
  total: number;
  ratePerSecond: number;
  /** Seconds left at the current rate; undefined before the first batch. */
  etaSeconds: number | undefined;
}

export interface RewrapSummary {
  key: string;
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
 * Moves every stored value under `key` to the key's latest version with transit rewrap, so the
 * plaintext never leaves the key management system. Online and resumable: it only ever selects
 * rows still below the latest version, and writes a row only if it is unchanged since it was read.
 */
export async function rewrapStoredValues(
  transit: Transit,
  store: StoredCiphertexts,
  key: string,
  options: RewrapOptions = {},
): Promise<RewrapSummary> {
  const batchSize = options.batchSize ?? 500;
  const { latestVersion } = await transit.readKey(key);
  const total = await store.countBelow(latestVersion);
  const started = performance.now();
  const summary: RewrapSummary = { key, latestVersion, total, rewrapped: 0, skipped: 0, failed: 0, seconds: 0 };
  let afterSeq = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.nextBelow(latestVersion, afterSeq, batchSize);
    if (batch.length === 0) break;
    afterSeq = batch[batch.length - 1]?.seq ?? afterSeq;
    const results = await transit.rewrap(
      key,
      batch.map((row) => ({ ciphertext: row.ciphertext })),
    );
    const replacements: Replacement[] = [];
    batch.forEach((row, index) => {
      const result = results[index];
      const version = result?.ok === true ? keyVersionOf(result.value) : null;
      if (result?.ok !== true || version === null) summary.failed += 1;
      else replacements.push({ id: row.id, previous: row.ciphertext, ciphertext: result.value, version });
    });
    const written = await store.replace(replacements);
    summary.rewrapped += written;
    summary.skipped += replacements.length - written;
    const elapsed = (performance.now() - started) / 1000;
    const done = summary.rewrapped + summary.skipped + summary.failed;
    const ratePerSecond = elapsed > 0 ? done / elapsed : 0;
    options.onProgress?.({
      key,
      done,
      total,
      ratePerSecond,
      etaSeconds: ratePerSecond > 0 ? Math.max(0, total - done) / ratePerSecond : undefined,
    });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
