import type { GraphQLSchema } from 'graphql';
import * as databaseSchema from './db/schema.ts';
import {
  checkDeclarations,
  encryptedObjectFieldsOf,
  encryptionKeysOf,
  type StoredColumnRegistry,
  storedColumnsOf,
} from './field-encryption/index.ts';

/**
 * The stored columns declared in the drizzle schema, checked against the GraphQL schema's encrypted
 * object fields: the API and every CLI command refuse to start when they disagree.
 */
export function checkedStoredColumns(
  schema: GraphQLSchema,
  drizzleSchema: Record<string, unknown> = databaseSchema,
): StoredColumnRegistry {
  const registry = storedColumnsOf(drizzleSchema);
  checkDeclarations(encryptedObjectFieldsOf(schema), registry);
  return registry;
}

/** The transit key that seals the reveal record's chain (HMAC); the database never holds it. */
export const REVEAL_SEAL_KEY = 'reveal-seal';

/** Every transit key the API uses: the schema's encryption keys and the reveal record's seal key. */
export function transitKeysOf(schema: GraphQLSchema): Map<string, { derived: boolean }> {
  return encryptionKeysOf(schema).set(REVEAL_SEAL_KEY, { derived: false });
}
