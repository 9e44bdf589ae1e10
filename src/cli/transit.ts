import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { checkedStoredColumns } from '../encryption-declarations.ts';
import { createTransit } from '../field-encryption/index.ts';
import { buildSchema } from '../graphql/build-schema.ts';
import { exitWithStartupError } from '../startup-error.ts';
import { type TransitCommand, transitCommands } from './transit/commands.ts';

/** `npm run transit -- <command> [args]`: key management against Vault/OpenBao or the embedded engine. */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: {
      out: { type: 'string' },
      from: { type: 'string' },
      'token-ttl': { type: 'string' },
      'token-max-ttl': { type: 'string' },
    },
  });
  const [name, ...args] = positionals;
  const command: TransitCommand | undefined = name === undefined ? undefined : transitCommands[name];
  if (command === undefined) {
    console.error('usage: npm run transit -- <command> [args]\n');
    for (const [commandName, entry] of Object.entries(transitCommands)) {
      console.error(`  ${`${commandName} ${entry.usage}`.padEnd(28)} ${entry.summary}`);
    }
    process.exit(2);
  }
  const config = loadConfig();
  const schema = buildSchema(config.limits);
  const storedColumns = checkedStoredColumns(schema);
  const transit = createTransit(
    command.needsAdminToken === true && config.transit.kind === 'vault'
      ? { ...config.transit, allowRootToken: true }
      : config.transit,
  );
  try {
    process.exitCode = await command.run({ config, transit, schema, storedColumns, args, flags: values });
  } finally {
    await transit.close();
  }
}

main().catch(exitWithStartupError);
