import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLSchema, isNonNullType } from 'graphql';
import { graphqlError } from '../../graphql/errors.ts';
import type { TransitBatcher } from '../transit/batcher.ts';
import { transitFailureForClient } from '../transit-errors.ts';
import { applyMask, type Mask } from './mask.ts';

export interface DecryptionContext {
  transit: TransitBatcher;
  roles: ReadonlySet<string>;
}

interface Grant {
  role: string;
  mask: Mask;
}

/**
 * `@decryptFor(role, mask)`, repeatable: callers holding one of the roles read the value decrypted
 * (or masked, where the grant says so); everyone else reads what is stored, the ciphertext.
 * The key comes from the field's `@encrypted(key)`.
 */
export function decryptForDirective(directiveName = 'decryptFor', encryptedDirectiveName = 'encrypted') {
  return {
    typeDefs: `"""
How much of an encrypted value each role may read. Callers holding \`role\` read it decrypted
(or masked, when \`mask\` is set); callers without any listed role read the stored ciphertext.
Repeat the directive to grant several roles. A value that cannot be decrypted fails that field
only, with DECRYPTION_FAILED; the rest of the response stands.
"""
directive @${directiveName}(
  "Role (from the caller's token) allowed to read this value."
  role: String!
  "Partial reveal for this role; NONE reveals the plaintext."
  mask: DecryptMask = NONE
) repeatable on FIELD_DEFINITION

"What part of a decrypted value a role may see."
enum DecryptMask {
  "The whole plaintext."
  NONE
  "Everything but the last four characters masked: ************1157."
  LAST4
  "First six and last four characters kept, as card receipts show: 453929******1157."
  FIRST6_LAST4
}
`,
    transformer: (schema: GraphQLSchema): GraphQLSchema =>
      mapSchema(schema, {
        [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
          const grants = getDirective(schema, fieldConfig, directiveName) as Grant[] | undefined;
          if (grants === undefined || grants.length === 0) return fieldConfig;
          const where = `${typeName}.${fieldName}`;
          const key = (getDirective(schema, fieldConfig, encryptedDirectiveName)?.[0] as { key: string } | undefined)
            ?.key;
          if (key === undefined)
            throw new Error(`${where}: @${directiveName} needs @${encryptedDirectiveName}(key) on the same field`);
          if (isNonNullType(fieldConfig.type)) {
            throw new Error(
              `${where}: a @${directiveName} field must be nullable, so that a failed decryption fails only that field`,
            );
          }
          const resolve = fieldConfig.resolve ?? defaultFieldResolver;
          return {
            ...fieldConfig,
            resolve: async (source, args, context: DecryptionContext, info) => {
              const stored: unknown = await resolve(source, args, context, info);
              const mask = strongestGrant(grants, context.roles);
              if (mask === undefined || stored === null || stored === undefined) return stored;
              const reveal = (ciphertext: unknown) => decrypt(context.transit, key, ciphertext, mask, where);
              return Array.isArray(stored) ? Promise.all(stored.map(reveal)) : reveal(stored);
            },
          };
        },
      }),
  };
}

/** NONE (plaintext) beats any mask; FIRST6_LAST4 reveals more than LAST4. */
function strongestGrant(grants: readonly Grant[], roles: ReadonlySet<string>): Mask | undefined {
  const held = grants.filter((grant) => roles.has(grant.role)).map((grant) => grant.mask);
  for (const mask of ['NONE', 'FIRST6_LAST4', 'LAST4'] as const) if (held.includes(mask)) return mask;
  return undefined;
}

async function decrypt(transit: TransitBatcher, key: string, ciphertext: unknown, mask: Mask, where: string) {
  if (ciphertext === null || ciphertext === undefined) return ciphertext;
  try {
    return applyMask(await transit.decryptText(key, String(ciphertext)), mask);
  } catch (error) {
    const { reason, description } = transitFailureForClient(error);
    throw graphqlError(
      'DECRYPTION_FAILED',
      `${where} could not be decrypted: ${description}`,
      { reason },
      error instanceof Error ? error : undefined,
    );
  }
}
