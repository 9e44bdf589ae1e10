import type { GraphQLSchema } from 'graphql';
import * as databaseSchema from './db/schema.ts';
import {
  blindIndexKeysOf,
  checkDeclarations,
  encryptedObjectFieldsOf,
  encryptionKeysOf,
  type StoredColumnRegistry,
  storedColumnsOf,
} from './field-encryption/index.ts';

/**
 * The stored columns declared in the drizzle schema, checked against the GraphQL schema's encrypted
 * object fields: the API and the operator CLIs (transit, db, audit) refuse to start when they disagree.
 */
export function checkedStoredColumns(
  schema: GraphQLSchema,
  drizzleSchema: Record<string, unknown> = databaseSchema,
): StoredColumnRegistry {
  const registry = storedColumnsOf(drizzleSchema);
  checkDeclarations(encryptedObjectFieldsOf(schema), registry, blindIndexKeysOf(schema));
  return registry;
}

/** The transit key that seals the reveal record's chain (HMAC); the database never holds it. */
export const REVEAL_SEAL_KEY = 'reveal-seal';

/**
 * Every transit key the API uses: the schema's encryption keys, its blind-index (HMAC) keys and the
 * reveal record's seal key. A key used both to encrypt and as a blind index is refused: the index
 * key's policy allows HMAC only, and an encryption key's holders must not be able to compute it.
 */
export function transitKeysOf(schema: GraphQLSchema): Map<string, { derived: boolean }> {
  const keys = encryptionKeysOf(schema);
  for (const key of blindIndexKeysOf(schema)) {
    if (keys.has(key) || key === REVEAL_SEAL_KEY) {
      throw new Error(`key "${key}" is used both to encrypt and as a @blindIndex key; give the index its own key`);
    }
    keys.set(key, { derived: false });
  }
  return keys.set(REVEAL_SEAL_KEY, { derived: false });
}
