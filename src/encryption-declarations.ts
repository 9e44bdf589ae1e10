import type { GraphQLSchema } from 'graphql';
import * as databaseSchema from './db/schema.ts';
import {
  checkDeclarations,
  encryptedObjectFieldsOf,
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
