import type { Config } from '../../config.ts';
import * as databaseSchema from '../../db/schema.ts';
import { checkedStoredColumns } from '../../encryption-declarations.ts';
import type { StoredColumnRegistry } from '../../field-encryption/index.ts';
import { buildSchema } from '../../graphql/build-schema.ts';

/**
 * The API's start-up declaration check, for the operator CLIs (transit, db, audit): the keys of the
 * schema's `@encrypted` object fields and the drizzle schema's stored columns must agree, and every
 * stored column's table must declare its constraints. Throws `DeclarationMismatchError`, naming each
 * mismatch, before the command opens the database or a key.
 */
export function checkOperatorDeclarations(
  config: Pick<Config, 'limits'>,
  drizzleSchema: Record<string, unknown> = databaseSchema,
): StoredColumnRegistry {
  return checkedStoredColumns(buildSchema(config.limits), drizzleSchema);
}
