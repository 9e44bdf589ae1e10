import type { GraphQLSchema } from 'graphql';
import * as databaseSchema from './db/schema.ts';
import { checkedStoredColumns as checkedStoredColumnsOf, type StoredColumnRegistry } from './field-encryption/index.ts';

export { REVEAL_SEAL_KEY, transitKeysOf } from './field-encryption/index.ts';

/**
 * The stored columns declared in the app's drizzle schema, checked against the GraphQL schema's
 * encrypted object fields: the API and the operator CLIs (transit, db, audit) refuse to start when they disagree.
 */
export function checkedStoredColumns(
  schema: GraphQLSchema,
  drizzleSchema: Record<string, unknown> = databaseSchema,
): StoredColumnRegistry {
  return checkedStoredColumnsOf(schema, drizzleSchema);
}
