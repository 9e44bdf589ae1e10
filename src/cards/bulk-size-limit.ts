import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Config } from '../config.ts';
import { badUserInput } from '../graphql/errors.ts';

/**
 * Refuses `createCreditCards` with more than MAX_BULK_SIZE inputs. Applied after @encrypted so it
 * runs before it: an oversized request is refused before a single value is sent to transit.
 */
export function bulkSizeLimit(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.MUTATION_ROOT_FIELD]: (fieldConfig, fieldName) => {
      if (fieldName !== 'createCreditCards') return fieldConfig;
      const resolve = fieldConfig.resolve ?? defaultFieldResolver;
      return {
        ...fieldConfig,
        resolve: (source, args: { inputs: unknown[] }, context: { limits: Config['limits'] }, info) => {
          if (args.inputs.length > context.limits.maxBulkSize) {
            throw badUserInput(`inputs may hold at most ${context.limits.maxBulkSize} cards`);
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
