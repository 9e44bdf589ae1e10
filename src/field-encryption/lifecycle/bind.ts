import type { Replacement, StoredValues } from '../storage/stored-values.ts';
import { type Transit, valuesOf } from '../transit/transit.ts';
import { type Pace, paceOf } from './pace.ts';

export interface BindProgress extends Pace {
  column: string;
  /** Rows looked at so far, of `total`. */
  done: number;
  total: number;
  bound: number;
}

export interface BindSummary {
  key: string;
  fromKey: string;
  column: string;
  total: number;
  /** Moved from `fromKey` to the derived key, bound to their row. */
  bound: number;
  /** Open under the derived key with the row's identity: bound already (an earlier run, or written since). */
  alreadyBound: number;
  /**
   * Open under neither `fromKey` nor the derived key with the row's identity (e.g. below `fromKey`'s
   * min_decryption_version, under yet another key, or moved from another row): left as stored, not bound.
   */
  notBound: number;
  /** The first of them (at most 10): row identity and why the value did not open under `fromKey`. */
  notBoundRows: Array<{ id: string; reason: string }>;
  /** Changed by a writer between read and write; the writer's value stands. */
  skipped: number;
  seconds: number;
}

export interface BindOptions {
  /** The non-derived key the values were encrypted under. */
  fromKey: string;
  batchSize?: number;
  onProgress?: (progress: BindProgress) => void;
  /** Stops between batches; rows written so far stay written, a rerun finishes the job. */
  signal?: AbortSignal;
}

/**
 * Binds existing values to their rows: each value encrypted under the non-derived `fromKey` is
 * decrypted and encrypted again under the column's derived key with the row's identity as context,
 * a batch at a time, and written only where the row still holds what was read. Plaintext exists
 * only in memory, for one batch, and is overwritten once encrypted. Online (writers keep writing
 * bound values) and resumable: a value that does not decrypt under `fromKey` is counted bound already
 * only when it decrypts under the derived key with its row's identity; any other is counted in
 * `notBound`, so a run that leaves values behind says so.
 */
export async function bindStoredValues(
  transit: Transit,
  store: StoredValues,
  options: BindOptions,
): Promise<BindSummary> {
  const { key, label: column, bindTo } = store.column;
  if (bindTo === undefined) throw new Error(`${column} is not declared with bindTo; nothing to bind it to`);
  const [from, to] = await Promise.all([transit.readKey(options.fromKey), transit.readKey(key)]);
  if (from.derived)
    throw new Error(`key ${options.fromKey} is derived already; bind moves values off a non-derived key`);
  if (!to.derived)
    throw new Error(`key ${key} is not derived; create it with derived: true (npm run transit -- setup)`);
  const batchSize = options.batchSize ?? 250;
  const total = await store.countAll();
  const summary: BindSummary = {
    key,
    fromKey: options.fromKey,
    column,
    total,
    bound: 0,
    alreadyBound: 0,
    notBound: 0,
    notBoundRows: [],
    skipped: 0,
    seconds: 0,
  };
  const started = performance.now();
  let after: string | undefined;
  let done = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await store.next({ after, limit: batchSize });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id;
    const opened = await transit.decrypt(
      options.fromKey,
      batch.map((row) => ({ ciphertext: row.ciphertext })),
    );
    const legacy = batch.flatMap((row, index) => {
      const result = opened[index];
      return result?.ok === true ? [{ row, plaintext: result.value }] : [];
    });
    await countNotLegacy(
      transit,
      key,
      batch.flatMap((row, index) => {
        const result = opened[index];
        return result?.ok === false ? [{ row, reason: result.error.code }] : [];
      }),
      summary,
    );
    try {
      const sealed = valuesOf(
        await transit.encrypt(
          key,
          legacy.map(({ row, plaintext }) => ({ plaintext, context: Buffer.from(row.id, 'utf8') })),
        ),
        legacy.length,
      );
      const replacements: Replacement[] = legacy.map(({ row }, index) => ({
        id: row.id,
        previous: row.ciphertext,
        ciphertext: sealed[index] as string,
      }));
      const written = await store.replace(replacements);
      summary.bound += written;
      summary.skipped += replacements.length - written;
    } finally {
      for (const { plaintext } of legacy) plaintext.fill(0);
    }
    done += batch.length;
    options.onProgress?.({
      column,
      done,
      total,
      bound: summary.bound,
      ...paceOf(done, total, started),
    });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

const NOT_BOUND_ROWS_KEPT = 10;

/** Values that did not open under `fromKey`: bound already if they open under `key` with their row's identity. */
async function countNotLegacy(
  transit: Transit,
  key: string,
  rows: Array<{ row: { id: string; ciphertext: string }; reason: string }>,
  summary: BindSummary,
): Promise<void> {
  if (rows.length === 0) return;
  const opened = await transit.decrypt(
    key,
    rows.map(({ row }) => ({ ciphertext: row.ciphertext, context: Buffer.from(row.id, 'utf8') })),
  );
  rows.forEach(({ row, reason }, index) => {
    const result = opened[index];
    if (result?.ok === true) {
      result.value.fill(0);
      summary.alreadyBound += 1;
      return;
    }
    summary.notBound += 1;
    if (summary.notBoundRows.length < NOT_BOUND_ROWS_KEPT) summary.notBoundRows.push({ id: row.id, reason });
  });
}
