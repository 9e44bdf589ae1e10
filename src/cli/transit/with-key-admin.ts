import type { Database } from '../../db/client.ts';
import { blindIndexKeysOf, encryptionKeysOf, KeyAdmin } from '../../field-encryption/index.ts';
import type { TransitCommandInput } from './commands.ts';

/** Key lifecycle over the stored columns declared for the schema's keys, for one command. */
export function withKeyAdmin<T>(
  input: TransitCommandInput,
  use: (keyAdmin: KeyAdmin, database: Database) => Promise<T>,
): Promise<T> {
  const keys = new Set([...encryptionKeysOf(input.schema).keys(), ...blindIndexKeysOf(input.schema)]);
  return input.withDatabase((database) =>
    use(new KeyAdmin(input.transit, keys, input.storedColumns, database.db), database),
  );
}
