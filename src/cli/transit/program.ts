import path from 'node:path';
import { checkedStoredColumns } from '../../encryption-declarations.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import { checkOperatorArgs, type OperatorProgram } from '../operator/program.ts';
import { operatorName, recordedCommand, withOperatorName } from '../operator/record-command.ts';
import { recordedAs, transitCommands } from './commands.ts';
import { parseTransitArgs as parse, transitUsage } from './usage.ts';

/** `npm run transit -- <command>`: key management against Vault/OpenBao or the embedded engine. */
export const transitProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(transitUsage, argv, io),
  needsDataDir(argv, config) {
    const name = parse(argv).positionals[0] ?? '';
    const command = transitCommands[name];
    // A command that changes keys writes its entry on the record in the database, whatever it changes.
    const writesDatabase = command?.usesDatabase(config) === true || Object.hasOwn(recordedAs, name);
    return config.transit.kind === 'embedded' || (writesDatabase && config.database.kind === 'pglite');
  },
  forOwner: (argv) =>
    withOperatorName(argv).map((arg, index) =>
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
    const run = () =>
      command.run({
        config: resources.config,
        transit: resources.transit(),
        schema,
        storedColumns: checkedStoredColumns(schema),
        args,
        flags: values,
        io,
        withDatabase: (use) => resources.withDatabase(use),
      });
    const action = recordedAs[name as keyof typeof recordedAs];
    if (action === undefined) return run();
    const key = name === 'setup' ? '' : (args[0] ?? '');
    return recordedCommand(resources, io, { action, key, subject: operatorName(values.by) }, { args }, run);
  },
};
