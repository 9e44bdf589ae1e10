import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GrantBudgets } from '../budget/grant-budgets.ts';
import type { RevealAllowance } from '../budget/reveal-allowance.ts';
import type { RevealCollector, RevealGroup } from './reveal-collector.ts';
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
 * Writes what a request revealed to the reveal record before the response leaves, in one insert.
 * Fails closed, as Vault's audit device does: when the record cannot be written, the response is
 * replaced by a DECRYPTION_FAILED error (reason AUDIT_UNAVAILABLE) and no value leaves.
 */
export function revealRecordPlugin<TContext extends BaseContext>(
  options: RevealRecordOptions<TContext>,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, response }) {
          const revealed = options.collector(contextValue).revealed;
          const reserved = options.reservations?.of(contextValue).reserved ?? false;
          const release = async () => {
            if (reserved) await options.reservations?.allowance.release(options.requester(contextValue).requestId);
          };
          if (revealed.length === 0) return release();
          const started = performance.now();
          const took = () => (performance.now() - started) / 1000;
          try {
            await options.ledger.append(
              { ...options.requester(contextValue), operation: operationName ?? undefined, reserved },
              revealed,
            );
            options.onWritten?.(revealed, took(), true);
          } catch (error) {
            options.onWritten?.(revealed, took(), false);
            options.onAuditFailure?.(error);
            await release().catch(() => {});
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
