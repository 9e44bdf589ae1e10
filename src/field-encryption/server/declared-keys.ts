import type { GraphQLSchema } from 'graphql';
import { blindIndexKeysOf } from '../directives/blind-index.ts';
import { encryptedObjectFieldsOf, encryptionKeysOf } from '../directives/encrypted.ts';
import { checkDeclarations } from '../storage/check-declarations.ts';
import { type StoredColumnRegistry, storedColumnsOf } from '../storage/stored-columns.ts';

/** The transit key that seals the reveal record's chain (HMAC) unless another is named; the database never holds it. */
export const REVEAL_SEAL_KEY = 'reveal-seal';

/**
 * The stored columns declared in a drizzle schema (its module's exports), checked against the GraphQL
 * schema's encrypted object fields and blind indexes: a server refuses to start when they disagree.
 */
export function checkedStoredColumns(schema: GraphQLSchema, tables: Record<string, unknown>): StoredColumnRegistry {
  const registry = storedColumnsOf(tables);
  checkDeclarations(encryptedObjectFieldsOf(schema), registry, blindIndexKeysOf(schema));
  return registry;
}

/**
 * Every transit key a server uses: the schema's encryption keys, its blind-index (HMAC) keys and the
 * reveal record's seal key. A key used both to encrypt and as a blind index is refused: the index
 * key's policy allows HMAC only, and an encryption key's holders must not be able to compute it.
 */
export function transitKeysOf(schema: GraphQLSchema, sealKey = REVEAL_SEAL_KEY): Map<string, { derived: boolean }> {
  const keys = encryptionKeysOf(schema);
  for (const key of blindIndexKeysOf(schema)) {
    if (keys.has(key) || key === sealKey) {
      throw new Error(`key "${key}" is used both to encrypt and as a @blindIndex key; give the index its own key`);
    }
    keys.set(key, { derived: false });
  }
  return keys.set(sealKey, { derived: false });
}
