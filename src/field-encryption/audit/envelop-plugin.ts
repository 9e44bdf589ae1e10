import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import {
  AUDIT_UNAVAILABLE,
  type RevealRecordOptions,
  settleReveals,
  writeRevealsAsNoted,
} from './reveal-record-plugin.ts';

/** The part of an envelop plugin (graphql-yoga, envelop) this one uses; structural, so no envelop import is needed. */
export interface RevealRecordEnvelopPlugin<TContext> {
  onExecute(payload: { args: ExecutionArgs & { contextValue: TContext } }): {
    onExecuteDone(payload: {
      result: ExecutionResult | AsyncIterable<ExecutionResult>;
      setResult(result: ExecutionResult): void;
    }): Promise<void>;
  };
}

/**
 * The reveal record for servers built on envelop (graphql-yoga among them): once an operation has
 * executed, its reveals are written (they start while it runs) before the result goes on; when they cannot be, the result is
 * replaced by DECRYPTION_FAILED (AUDIT_UNAVAILABLE), as the Apollo plugin does.
 */
export function revealRecordEnvelopPlugin<TContext>(
  options: RevealRecordOptions<TContext>,
): RevealRecordEnvelopPlugin<TContext> {
  return {
    onExecute({ args }) {
      writeRevealsAsNoted(options, args.contextValue, args.operationName ?? undefined);
      return {
        async onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) {
            throw new Error('the reveal record does not cover incremental delivery (@defer/@stream)');
          }
          const written = await settleReveals(options, args.contextValue, args.operationName ?? undefined);
          if (!written)
            setResult({
              errors: [new GraphQLError(AUDIT_UNAVAILABLE.message, { extensions: AUDIT_UNAVAILABLE.extensions })],
            });
        },
      };
    },
  };
}
