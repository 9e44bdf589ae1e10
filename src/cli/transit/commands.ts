import type { GraphQLSchema } from 'graphql';
import type { Config } from '../../config.ts';
import type { StoredColumnRegistry, Transit } from '../../field-encryption/index.ts';
import { bind } from './bind.ts';
import { info } from './info.ts';
import { retire } from './retire.ts';
import { rewrap } from './rewrap.ts';
import { rotate } from './rotate.ts';
import { setup } from './setup.ts';

export interface TransitCommandInput {
  config: Config;
  transit: Transit;
  /** The API's schema and the stored columns declared for its keys (already checked to agree). */
  schema: GraphQLSchema;
  storedColumns: StoredColumnRegistry;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

export interface TransitCommand {
  usage: string;
  summary: string;
  /** Setup runs once with an admin (often root) token; every other command honours ALLOW_ROOT_TOKEN. */
  needsAdminToken?: true;
  /** Resolves to the process exit code. */
  run(input: TransitCommandInput): Promise<number>;
}

export const transitCommands: Record<string, TransitCommand> = { setup, rotate, rewrap, retire, bind, info };
