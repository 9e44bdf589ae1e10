import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from '../config.ts';

/**
 * Bounds on one GraphQL document, refused before anything runs: graphql-armor's depth, alias, cost
 * and directive limits, and graphql-js's own token limit in the parser (armor's token plugin throws
 * from a hook, which Apollo answers with HTTP 500). Field suggestions ("Did you mean …?") are hidden
 * in production, where they would map the schema for a caller without introspection.
 */
export function abuseLimits(config: Pick<Config, 'env' | 'queryLimits'>) {
  const limits = config.queryLimits;
  const { plugins, validationRules, allowBatchedHttpRequests } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: config.env === 'production' },
  }).protect();
  return {
    // graphql-armor is typed against @apollo/server's CommonJS declarations; the objects are the same.
    plugins: plugins as unknown as ApolloServerPlugin<BaseContext>[],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests,
  };
}
