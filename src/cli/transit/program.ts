import path from 'node:path';
import { checkedStoredColumns } from '../../encryption-declarations.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import { checkOperatorArgs, type OperatorProgram } from '../operator/program.ts';
import { transitCommands } from './commands.ts';
import { parseTransitArgs as parse, transitUsage } from './usage.ts';

/** `npm run transit -- <command>`: key management against Vault/OpenBao or the embedded engine. */
export const transitProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(transitUsage, argv, io),
  needsDataDir(argv, config) {
    const command = transitCommands[parse(argv).positionals[0] ?? ''];
    return (
      config.transit.kind === 'embedded' ||
      (command?.usesDatabase(config) === true && config.database.kind === 'pglite')
    );
  },
  forOwner: (argv) =>
    argv.map((arg, index) =>
      argv[index - 1] === '--out'
        ? path.resolve(arg)
        : arg.startsWith('--out=')
          ? `--out=${path.resolve(arg.slice(6))}`
          : arg,
    ),
  needsAdminToken: (argv) => transitCommands[parse(argv).positionals[0] ?? '']?.needsAdminToken === true,
  async run(argv, resources, io) {
    const { positionals, values } = parse(argv);
    const [name, ...args] = positionals;
    const command = transitCommands[name ?? ''];
    if (command === undefined) return 2;
    const schema = buildSchema(resources.config.limits);
    return command.run({
      config: resources.config,
      transit: resources.transit(),
      schema,
      storedColumns: checkedStoredColumns(schema),
      args,
      flags: values,
      io,
      withDatabase: (use) => resources.withDatabase(use),
    });
  },
};
