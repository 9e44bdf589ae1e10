import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { fieldEncryptionDirectivesSdl } from '../directives/sdl.ts';
import type { AnyPgDatabase } from '../storage/stored-values.ts';
import type { Transit } from '../transit/transit.ts';

/** What `transitql.config.mjs` exports (default): the server's SDL, its drizzle tables, and how to reach its backends. */
export interface TransitqlConfig {
  /** The server's own SDL, without the field-encryption directives (they are added). */
  typeDefs: string | readonly string[];
  /** The drizzle schema module holding the encrypted columns. */
  tables: Record<string, unknown>;
  /** Opens the database and the transit backend the command works on; `close` releases both. */
  open(): Promise<{ db: AnyPgDatabase; transit: Transit; close(): Promise<void> }>;
  /** The reveal record's seal key, when the server names another than `reveal-seal`. */
  sealKey?: string;
}

export const DEFAULT_CONFIG_FILE = 'transitql.config.mjs';

export async function loadTransitqlConfig(file: string): Promise<TransitqlConfig> {
  const loaded = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: TransitqlConfig };
  const config = loaded.default;
  if (config === undefined || typeof config.open !== 'function' || config.tables === undefined) {
    throw new Error(`${file} must export default { typeDefs, tables, open }`);
  }
  return config;
}

/** The schema the declarations are read from: the directives' SDL and the server's; no resolvers are needed. */
export function declaredSchema(config: TransitqlConfig): GraphQLSchema {
  const typeDefs = typeof config.typeDefs === 'string' ? [config.typeDefs] : config.typeDefs;
  return buildSchema([fieldEncryptionDirectivesSdl(), ...typeDefs].join('\n'));
}
