import type { Config } from '../../config.ts';
import { type Database, openDatabase } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { encryptionKeysOf, KeyAdmin } from '../../field-encryption/index.ts';
import type { TransitCommandInput } from './commands.ts';

/** Opens and migrates the configured database for one command, and closes it afterwards. */
export async function withDatabase<T>(config: Config, use: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(config.database);
  try {
    await migrate(database);
    return await use(database);
  } finally {
    await database.close();
  }
}

/** Key lifecycle over the configured database, for one command. */
export function withKeyAdmin<T>(input: TransitCommandInput, use: (keyAdmin: KeyAdmin) => Promise<T>): Promise<T> {
  const keys = new Set(encryptionKeysOf(input.schema).keys());
  return withDatabase(input.config, (database) =>
    use(new KeyAdmin(input.transit, keys, input.storedColumns, database.db)),
  );
}
