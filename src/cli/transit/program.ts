import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkedStoredColumns } from '../../encryption-declarations.ts';
import { buildSchema } from '../../graphql/build-schema.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { OperatorProgram } from '../operator/program.ts';
import { transitCommands } from './commands.ts';

const options = {
  out: { type: 'string' },
  from: { type: 'string' },
  'batch-size': { type: 'string' },
  'token-ttl': { type: 'string' },
  'token-max-ttl': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
}

/** Help goes to stdout; after a usage error, to stderr. */
function printUsage(io: Io, error = false): void {
  const write = error ? io.err : io.out;
  write('usage: npm run transit -- <command> [args]\n');
  const lines = Object.entries(transitCommands).map(([name, command]) => [`${name} ${command.usage}`, command.summary]);
  const width = Math.max(...lines.map(([left]) => left?.length ?? 0));
  for (const [left, summary] of lines) write(`  ${left?.padEnd(width)}  ${summary}`);
  write('\nOn the embedded default the running API (if any) carries out the command.');
}

/** `npm run transit -- <command>`: key management against Vault/OpenBao or the embedded engine. */
export const transitProgram: OperatorProgram = {
  preflight(argv, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      io.err(`transit: ${(error as Error).message}`);
      printUsage(io, true);
      return 2;
    }
    if (parsed.values.help === true) {
      printUsage(io);
      return 0;
    }
    const [name] = parsed.positionals;
    if (name === undefined || transitCommands[name] === undefined) {
      if (name !== undefined) io.err(`transit: unknown command "${name}"`);
      printUsage(io, true);
      return 2;
    }
    return undefined;
  },
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
