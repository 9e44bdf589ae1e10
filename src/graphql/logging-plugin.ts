import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.ts';

/** One log line per operation: name, type, duration and error codes; never variables or results. */
export function loggingPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, errors }) {
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              errorCodes: errors?.map((error) => error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') ?? [],
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
