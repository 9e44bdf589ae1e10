import type { TransitCommandInput } from '../../src/cli/transit/commands.ts';
import { checkedStoredColumns } from '../../src/encryption-declarations.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import type { Backends } from './backends.ts';

/** What `npm run transit -- <command>` hands a command, on these backends; its output goes to `lines`. */
export function transitCommandInput(
  backends: Backends,
  args: string[],
  flags: TransitCommandInput['flags'] = {},
  lines: string[] = [],
): TransitCommandInput {
  const schema = buildSchema(backends.config.limits);
  return {
    config: backends.config,
    transit: backends.transit,
    schema,
    storedColumns: checkedStoredColumns(schema),
    args,
    flags,
    io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
    withDatabase: (use) => use(backends.database),
  };
}
