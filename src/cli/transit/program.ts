import path from 'node:path';
import { checkedStoredColumns } from '../../encryption-declarations.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import { checkOperatorArgs, type OperatorProgram, type OperatorUsage, parseOperatorArgs } from '../operator/program.ts';
import { transitCommands } from './commands.ts';

const options = {
  out: { type: 'string' },
  from: { type: 'string' },
  'batch-size': { type: 'string' },
  'token-ttl': { type: 'string' },
  'token-max-ttl': { type: 'string' },
} as const;

const parse = (argv: string[]) => parseOperatorArgs(argv, options);

function printUsage(write: (line: string) => void): void {
  write('usage: npm run transit -- <command> [args]\n');
  const lines = Object.entries(transitCommands).map(([name, command]) => [`${name} ${command.usage}`, command.summary]);
  const width = Math.max(...lines.map(([left]) => left?.length ?? 0));
  for (const [left, summary] of lines) write(`  ${left?.padEnd(width)}  ${summary}`);
  write('\nOn the embedded default the running API (if any) carries out the command.');
}

const args: OperatorUsage = {
  name: 'transit',
  parse,
  usage: printUsage,
  problem({ positionals: [name] }) {
    if (name !== undefined && transitCommands[name] !== undefined) return undefined;
    return name === undefined ? '' : `unknown command "${name}"`;
  },
};

/** `npm run transit -- <command>`: key management against Vault/OpenBao or the embedded engine. */
export const transitProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(args, argv, io),
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
