import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema, getNullableType, isListType } from 'graphql';
import { badUserInput } from '../graphql/errors.ts';

/**
 * `@maxItems(n)` on a list argument: a call with more items is refused before anything else runs.
 * Applied after the @encrypted transform, so it wraps the encryption and runs first; a check inside
 * the resolver would come after every value had already been sent to transit. Without `n`, the
 * limit is `defaultLimit` (MAX_BULK_SIZE).
 */
export function maxItemsDirective(options: { name?: string; defaultLimit: number }) {
  const directiveName = options.name ?? 'maxItems';
  return {
    typeDefs: `"A list argument may hold at most n items (MAX_BULK_SIZE when n is not given); more is refused with BAD_USER_INPUT before anything is encrypted or written."
directive @${directiveName}(n: Int) on ARGUMENT_DEFINITION
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema =>
      mapSchema(schema, {
        [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
          const limits = Object.entries(fieldConfig.args ?? {}).flatMap(([name, arg]) => {
            const rule = getDirective(schema, arg, directiveName)?.[0] as { n?: number | null } | undefined;
            if (rule === undefined) return [];
            if (!isListType(getNullableType(arg.type))) {
              throw new Error(`${typeName}.${fieldName}(${name}): @${directiveName} needs a list argument`);
            }
            return [{ name, max: rule.n ?? options.defaultLimit }];
          });
          if (limits.length === 0) return fieldConfig;
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          return {
            ...fieldConfig,
            resolve: (source, args, context, info) => {
              for (const { name, max } of limits) {
                const value = (args as Record<string, unknown>)[name];
                if (Array.isArray(value) && value.length > max) {
                  throw badUserInput(`${name} may hold at most ${max} items`);
                }
              }
              return resolve(source, args, context, info);
            },
          };
        },
      }),
  };
}
