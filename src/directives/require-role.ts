import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Authentication } from '../auth/principal.ts';
import { forbidden, unauthenticated } from '../graphql/errors.ts';

export interface AuthorizationContext {
  authentication: Authentication;
}

/**
 * `@requireRole(anyOf)`: the field resolves only for callers holding one of the roles. Applied last,
 * so it runs before any other wrapper (nothing is encrypted for a caller who may not call the field).
 */
export function requireRoleDirective(directiveName = 'requireRole') {
  return {
    typeDefs: `"Only callers whose token carries one of these roles may use this field (UNAUTHENTICATED / FORBIDDEN otherwise)."
directive @${directiveName}(anyOf: [String!]!) on FIELD_DEFINITION
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema =>
      mapSchema(schema, {
        [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName) => {
          const rule = getDirective(schema, fieldConfig, directiveName)?.[0] as { anyOf: string[] } | undefined;
          if (rule === undefined) return fieldConfig;
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          return {
            ...fieldConfig,
            resolve: (source, args, context: AuthorizationContext, info) => {
              const { authentication } = context;
              if (authentication.status === 'rejected') throw authentication.error;
              if (authentication.status === 'anonymous') {
                throw unauthenticated('Authentication required: send Authorization: Bearer <token>');
              }
              if (!rule.anyOf.some((role) => authentication.principal.roles.has(role))) {
                throw forbidden(`${fieldName} requires one of the roles: ${rule.anyOf.join(', ')}`);
              }
              return resolve(source, args, context, info);
            },
          };
        },
      }),
  };
}
