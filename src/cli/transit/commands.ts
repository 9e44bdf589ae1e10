import type { GraphQLSchema } from 'graphql';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { AdminAction, StoredColumnRegistry, Transit } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { bind } from './bind.ts';
import { info } from './info.ts';
import { reindex } from './reindex.ts';
import { retire } from './retire.ts';
import { rewrap } from './rewrap.ts';
import { rotate } from './rotate.ts';
import { setup } from './setup.ts';
import type { TransitCommandName } from './usage.ts';

export interface TransitCommandInput {
  config: Config;
  transit: Transit;
  /** The API's schema and the stored columns declared for its keys (already checked to agree). */
  schema: GraphQLSchema;
  storedColumns: StoredColumnRegistry;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  io: Io;
  withDatabase<T>(use: (database: Database) => Promise<T>): Promise<T>;
}

export interface TransitCommand {
  usage: string;
  summary: string;
  /** Setup runs once with an admin (often root) token; every other command honours ALLOW_ROOT_TOKEN. */
  needsAdminToken?: true;
  /** Whether it reads or writes stored values (rewrap, retire; setup on the embedded engine). */
  usesDatabase(config: Config): boolean;
  /** Resolves to the process exit code. */
  run(input: TransitCommandInput): Promise<number>;
}

/** Every command of TRANSIT_COMMAND_TEXT (usage.ts), and no other. */
export const transitCommands: Record<string, TransitCommand> = {
  setup,
  rotate,
  rewrap,
  reindex,
  retire,
  bind,
  info,
} satisfies Record<TransitCommandName, TransitCommand>;

/** What the administrative record names each command that changes keys or stored values (`info` only reads). */
export const recordedAs: Record<Exclude<TransitCommandName, 'info'>, AdminAction> = {
  setup: 'key.setup',
  rotate: 'key.rotate',
  rewrap: 'key.rewrap',
  reindex: 'key.reindex',
  retire: 'key.retire',
  bind: 'key.bind',
};
