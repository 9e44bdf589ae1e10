import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GrantBudgets } from '../budget/grant-budgets.ts';
import type { RevealAllowance } from '../budget/reveal-allowance.ts';
import type { RevealCollector, RevealGroup, RevealWriter } from './reveal-collector.ts';
import type { RevealLedger } from './reveal-ledger.ts';

export interface RevealRecordOptions<TContext> {
  ledger: RevealLedger;
  /** The request's collector, the one `@decryptFor` notes reveals in. */
  collector: (context: TContext) => RevealCollector;
  /** The request's rolling-window reservations, settled here: recorded with the reveals, or released. */
  reservations?: { allowance: RevealAllowance; of: (context: TContext) => GrantBudgets };
  /** Who is asking, from where, under which request id. */
  requester: (context: TContext) => { requestId: string; subject: string; clientAddress: string | undefined };
  /** Told when the record could not be written and the answer was withheld. */
  onAuditFailure?: (error: unknown) => void;
  /** Told how long each write took and what it recorded (for metrics). */
  onWritten?: (revealed: readonly RevealGroup[], seconds: number, ok: boolean) => void;
}

/** The error a client receives instead of its answer when the reveal record could not be written. */
export const AUDIT_UNAVAILABLE = {
  message: 'The reveal record could not be written, so no decrypted value is returned',
  extensions: { code: 'DECRYPTION_FAILED', reason: 'AUDIT_UNAVAILABLE' },
};

/** A writer of one request's reveals; reservations are settled by its last write only (until then they count beside the rows). */
function writerFor<TContext>(
  options: RevealRecordOptions<TContext>,
  context: TContext,
  operation: string | undefined,
  reserved: boolean,
): RevealWriter {
  return async (groups, last) => {
    const settlesReservations = last && reserved;
    if (groups.length === 0) {
      if (settlesReservations) await release(options, context);
      return;
    }
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    try {
      await options.ledger.append({ ...options.requester(context), operation, reserved: settlesReservations }, groups);
      options.onWritten?.(groups, took(), true);
    } catch (error) {
      options.onWritten?.(groups, took(), false);
      throw error;
    }
  };
}

async function release<TContext>(options: RevealRecordOptions<TContext>, context: TContext): Promise<void> {
  await options.reservations?.allowance.release(options.requester(context).requestId);
}

/**
 * From now until the request settles, what it reveals is written while it runs: values are noted as
 * they are sent to be decrypted, so the record's write (chain, seal, insert) overlaps the transit
 * calls instead of following them. A value noted whose decryption then fails stays on the record
 * (it counts as read: the record may say more, never less).
 */
export function writeRevealsAsNoted<TContext>(
  options: RevealRecordOptions<TContext>,
  context: TContext,
  operationName: string | undefined,
): void {
  options.collector(context).writeAsNoted(writerFor(options, context, operationName, false));
}

/**
 * Waits for the request's reveal-record writes and writes the rest, then settles its rolling-window
 * reservations. Answers false when the record could not be written and a value noted went into the
 * answer: the caller must then withhold the response (any server's plugin: Apollo's below, envelop's in
 * envelop-plugin.ts). When every value noted failed to decrypt (transit down: the seal fails as well),
 * nothing was revealed, and the answer's per-field errors stand.
 */
export async function settleReveals<TContext>(
  options: RevealRecordOptions<TContext>,
  context: TContext,
  operationName: string | undefined,
): Promise<boolean> {
  const reserved = options.reservations?.of(context).reserved ?? false;
  try {
    await options.collector(context).settle(writerFor(options, context, operationName, reserved));
    return true;
  } catch (error) {
    if (reserved) await release(options, context).catch(() => {});
    if (!options.collector(context).anyDelivered) return true;
    options.onAuditFailure?.(error);
    return false;
  }
}

/**
 * Writes what a request revealed to the reveal record before the response leaves, while it runs
 * (`writeRevealsAsNoted`). Fails closed, as Vault's audit device does: when the record cannot be
 * written, the response is replaced by a DECRYPTION_FAILED error (reason AUDIT_UNAVAILABLE) and no
 * value leaves.
 */
export function revealRecordPlugin<TContext extends BaseContext>(
  options: RevealRecordOptions<TContext>,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, operationName }) {
          writeRevealsAsNoted(options, contextValue, operationName ?? undefined);
        },
        async willSendResponse({ contextValue, operationName, response }) {
          if (await settleReveals(options, contextValue, operationName ?? undefined)) return;
          if (response.body.kind === 'single') response.body.singleResult = { errors: [AUDIT_UNAVAILABLE] };
          else throw new Error('the reveal record could not be written; an incremental response cannot be withheld');
        },
      };
    },
  };
}
