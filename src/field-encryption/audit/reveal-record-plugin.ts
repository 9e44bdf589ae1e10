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

/**
 * Writes what a request revealed to the reveal record before the response leaves. The writing starts
 * while the request runs: values are noted as they are sent to be decrypted, and the record's write
 * (chain, seal, insert) overlaps the transit calls instead of following them. A value noted whose
 * decryption then fails stays on the record (it counts as read: the record may say more, never less).
 * Fails closed, as Vault's audit device does: when any write fails, the response is replaced by a
 * DECRYPTION_FAILED error (reason AUDIT_UNAVAILABLE) and no value leaves.
 */
export function revealRecordPlugin<TContext extends BaseContext>(
  options: RevealRecordOptions<TContext>,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let operation: string | undefined;
      const write =
        (contextValue: TContext, reserved: boolean): RevealWriter =>
        async (groups, last) => {
          const settlesReservations = last && reserved;
          if (groups.length === 0) {
            if (settlesReservations) await release(contextValue);
            return;
          }
          const started = performance.now();
          const took = () => (performance.now() - started) / 1000;
          try {
            // Reservations are settled by the last write only: until then they count beside the rows written.
            await options.ledger.append(
              { ...options.requester(contextValue), operation, reserved: settlesReservations },
              groups,
            );
            options.onWritten?.(groups, took(), true);
          } catch (error) {
            options.onWritten?.(groups, took(), false);
            throw error;
          }
        };
      const release = async (contextValue: TContext) =>
        options.reservations?.allowance.release(options.requester(contextValue).requestId);
      const reservedBy = (contextValue: TContext) => options.reservations?.of(contextValue).reserved ?? false;
      return {
        async executionDidStart({ contextValue, operationName }) {
          operation = operationName ?? undefined;
          options.collector(contextValue).writeAsNoted(write(contextValue, false));
        },
        async willSendResponse({ contextValue, operationName, response }) {
          operation = operationName ?? undefined;
          const reserved = reservedBy(contextValue);
          try {
            await options.collector(contextValue).settle(write(contextValue, reserved));
          } catch (error) {
            options.onAuditFailure?.(error);
            if (reserved) await release(contextValue).catch(() => {});
            const withheld = {
              errors: [
                {
                  message: 'The reveal record could not be written, so no decrypted value is returned',
                  extensions: { code: 'DECRYPTION_FAILED', reason: 'AUDIT_UNAVAILABLE' },
                },
              ],
            };
            if (response.body.kind === 'single') response.body.singleResult = withheld;
            else throw error;
          }
        },
      };
    },
  };
}
