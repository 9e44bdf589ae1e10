import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

const SUPPORTED = new Set(['query', 'mutation']);

/**
 * The API serves queries and mutations over HTTP. graphql-js only finds out at execution that the
 * schema has no subscription root, and throws an untyped error that would surface as an internal
 * error; a subscription is the caller's mistake, answered before execution as BAD_REQUEST (HTTP 400).
 */
export function supportedOperationsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation === undefined || SUPPORTED.has(operation.operation)) return;
          throw new GraphQLError(
            `${capitalized(operation.operation)} operations are not supported by this API: send a query or a mutation`,
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}

function capitalized(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
