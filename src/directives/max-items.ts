import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Config } from '../config.ts';
import { badUserInput } from '../graphql/errors.ts';

interface LimitsContext {
  limits: Config['limits'];
}

/**
 * Refuses a createCreditCards call above MAX_BULK_SIZE before any of its PANs is encrypted. Applied
 * after the @encrypted transform, so it wraps the encryption and runs first; a check inside the
 * resolver would come after every PAN had already been sent to transit.
 */
export function bulkLimitTransform(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.MUTATION_ROOT_FIELD]: (fieldConfig, fieldName) => {
      if (fieldName !== 'createCreditCards') return fieldConfig;
      const resolve = fieldConfig.resolve ?? defaultFieldResolver;
      return {
        ...fieldConfig,
        resolve: (source, args, context: LimitsContext, info) => {
          const { maxBulkSize } = context.limits;
          if ((args as { inputs: unknown[] }).inputs.length > maxBulkSize) {
            throw badUserInput(`inputs may hold at most ${maxBulkSize} cards`);
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
