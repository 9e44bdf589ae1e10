import { randomUUID } from 'node:crypto';
import type { AnyPgDatabase } from '../storage/stored-values.ts';
import type { Transit } from '../transit/transit.ts';
import { RevealLedger } from './reveal-ledger.ts';

/** The role (and mask) of an entry recording an administrative action: no value revealed, counted by no budget. */
export const ADMIN_ROLE = 'admin';
export const ADMIN_MASK = 'ADMIN';

/** The key-lifecycle and data-directory actions the record names (its `field`). */
export type AdminAction =
  | 'key.setup'
  | 'key.rotate'
  | 'key.rewrap'
  | 'key.reindex'
  | 'key.retire'
  | 'key.bind'
  | 'db.backup'
  | 'db.restore';

export interface AdminCall {
  action: AdminAction;
  /** The key acted on; '' for an action on no single key (setup, backup, restore). */
  key: string;
  /** Who: the token's subject (GraphQL), the operating-system user or `--by` (CLI). */
  subject: string;
  via: 'cli' | 'graphql';
  requestId?: string;
  clientAddress?: string;
}

export interface AdminOutcome {
  outcome: 'succeeded' | 'failed';
  details?: unknown;
}

/** One sealed, chained entry for an administrative action: who, what, when (the entry's time), how it ended. */
export function recordAdminAction(
  ledger: RevealLedger,
  call: AdminCall,
  { outcome, details }: AdminOutcome,
): Promise<void> {
  return ledger.append(
    {
      requestId: call.requestId ?? `admin-${randomUUID()}`,
      subject: call.subject,
      operation: JSON.stringify({ via: call.via, outcome, details: details ?? null }),
      clientAddress: call.clientAddress,
    },
    [{ field: call.action, key: call.key, role: ADMIN_ROLE, mask: ADMIN_MASK, recordIds: [], count: 0 }],
  );
}

/** Writes one administrative entry somewhere: on a running ledger, or durably from a process about to end. */
export type AdminRecorder = (call: AdminCall, outcome: AdminOutcome) => Promise<void>;

/** Entries on a ledger that lives on (the API's): its checkpoints follow as they do for reveals. */
export function recorderOn(ledger: RevealLedger): AdminRecorder {
  return (call, outcome) => recordAdminAction(ledger, call, outcome);
}

/**
 * Entries from a process that ends with its command (a CLI): each on a ledger of its own, returned only
 * once its checkpoint is written too, since a checkpoint not written now would leave the entry open to
 * an unnoticed cut. A checkpoint that fails fails the entry.
 */
export function durableRecorder(db: AnyPgDatabase, transit: Transit, sealKey: string): AdminRecorder {
  return async (call, outcome) => {
    let checkpointFailed: unknown;
    const ledger = new RevealLedger(db, transit, sealKey, {
      onCheckpointFailed: (error) => {
        checkpointFailed = error;
      },
    });
    try {
      await recordAdminAction(ledger, call, outcome);
      await ledger.flushCheckpoints();
      if (checkpointFailed !== undefined)
        throw new Error(`the entry is on the record but its checkpoint failed: ${(checkpointFailed as Error).message}`);
    } finally {
      await ledger.close();
    }
  };
}

/**
 * Runs an administrative action and records it, whether it succeeded or threw. A thrown action is
 * recorded as failed and its own error rethrown (even when that entry cannot be written: nothing
 * changed, and the caller needs the reason); an action that succeeded but cannot be recorded fails.
 */
export async function recordedAdminAction<T>(
  record: AdminRecorder,
  call: AdminCall,
  run: () => Promise<T>,
  describe: (result: T) => AdminOutcome,
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await record(call, { outcome: 'failed', details: { error: (error as Error).message } }).catch(() => undefined);
    throw error;
  }
  await record(call, describe(result));
  return result;
}
