import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends Options> {
  /** How the command is invoked, e.g. `npm run token --`. */
  command: string;
  /** Usage lines after the command, e.g. `<role> [<role>...] [--ttl 1h]`. */
  usage: string;
  /** What the command does and what its options mean; printed under the usage by --help. */
  help?: string;
  options: O;
  allowPositionals?: boolean;
}

export interface ParsedArgs<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
  positionals: string[];
}

export const EXIT_USAGE = 2;

export function usageOf(spec: CommandSpec<Options>): string {
  return `usage: ${spec.command} ${spec.usage}`;
}

/**
 * The argument parser every transitql command shares (node:util parseArgs): `--help`/`-h` prints the
 * usage and exits 0; a bad argument prints one line and the usage to stderr and exits 2, no stack.
 */
export function parseCommandArgs<O extends Options>(spec: CommandSpec<O>, argv = process.argv.slice(2)): ParsedArgs<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as O;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: spec.allowPositionals ?? false, strict: true });
  } catch (error) {
    exitWithUsageError(spec, (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  if (parsed.values.help === true) {
    console.log([usageOf(spec), spec.help].filter(Boolean).join('\n\n'));
    process.exit(0);
  }
  delete parsed.values.help;
  return parsed as ParsedArgs<O>;
}

/** A usage error found after parsing (a missing or unknown positional): one line, the usage, exit 2. */
export function exitWithUsageError(spec: CommandSpec<Options>, message: string): never {
  console.error(`${spec.command.replace(/^npm run (\S+).*/, '$1')}: ${message}\n${usageOf(spec)}`);
  process.exit(EXIT_USAGE);
}
