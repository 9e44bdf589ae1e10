import { sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../storage/stored-values.ts';
import type { Checkpoint } from '../transit/record-anchor.ts';

/** What the record's end looks like next to the checkpoint. */
export interface RecordEnd {
  /** The last record, undefined when there is none. */
  tail: { seq: number; hash: string } | undefined;
  /** The hash of the record at the checkpoint's seq, undefined when that record is missing. */
  atCheckpoint: string | undefined;
  /** The highest seq the table's sequence has handed out (0 when none). */
  sequence: number;
}

export type CheckpointProblemKind = 'emptied record' | 'cut tail' | 'restored older database' | 'rewritten record';

export interface CheckpointProblem {
  kind: CheckpointProblemKind;
  message: string;
}

/** How to come back from a checkpoint problem, for messages (README, "The reveal record"). */
export const CHECKPOINT_FIX =
  'restore the missing reveal_events rows from a backup, or record the loss with `npm run audit -- acknowledge-loss --reason "..."`';

/**
 * Why the record's end does not match the checkpoint kept in the key service, or undefined when it
 * does (the record at the checkpoint's seq is there with the checkpointed hash; rows after it are
 * newer than the checkpoint).
 */
export function checkpointProblem(
  checkpoint: Checkpoint,
  end: RecordEnd,
  location: string,
): CheckpointProblem | undefined {
  if (end.atCheckpoint === checkpoint.hash) return undefined;
  const was = `the checkpoint in ${location} (${checkpoint.at.toISOString()}) says the record reached seq ${checkpoint.seq}`;
  if (end.tail === undefined) {
    return { kind: 'emptied record', message: `emptied record: no records, but ${was}` };
  }
  if (end.atCheckpoint !== undefined) {
    return {
      kind: 'rewritten record',
      message: `rewritten record: the record at seq ${checkpoint.seq} is not the one checkpointed in ${location} (rewritten, or a different database)`,
    };
  }
  if (end.tail.seq < checkpoint.seq && end.sequence < checkpoint.seq) {
    return {
      kind: 'restored older database',
      message: `restored older database: the record ends at seq ${end.tail.seq} and its sequence at ${end.sequence}, both behind: ${was} (an older backup was restored)`,
    };
  }
  if (end.tail.seq < checkpoint.seq) {
    return {
      kind: 'cut tail',
      message: `cut tail: the record ends at seq ${end.tail.seq}, but ${was} (records after seq ${end.tail.seq} were deleted)`,
    };
  }
  return {
    kind: 'rewritten record',
    message: `rewritten record: the record at seq ${checkpoint.seq} checkpointed in ${location} is missing`,
  };
}

/** The highest seq the reveal record's sequence has handed out. */
export async function sequencePosition(db: AnyPgDatabase): Promise<number> {
  const result = await db.execute(sql`select last_value, is_called from reveal_events_seq_seq`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    last_value: string | number;
    is_called: boolean;
  }>;
  const row = rows[0];
  if (row === undefined) return 0;
  return row.is_called ? Number(row.last_value) : Number(row.last_value) - 1;
}
