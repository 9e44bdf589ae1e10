import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Transit } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { EXIT_USAGE } from '../args.ts';
import { renderTable } from '../table.ts';

/** What an operator command works on: the owner's open backends, or ones the CLI opened itself. */
export interface OperatorResources {
  config: Config;
  /** Where the command runs: inside the API that owns the data directory, or in the CLI itself. */
  runsIn: 'api' | 'cli';
  /** The transit backend, opened on first use. */
  transit(): Transit;
  /** Runs `use` on the migrated database. */
  withDatabase<T>(use: (database: Database) => Promise<T>): Promise<T>;
}

/** An operator CLI (`transit`, `db`): its commands run in the CLI or, on the embedded default, in the API. */
export interface OperatorProgram {
  /** Answers `--help` and usage errors without opening anything; undefined when the command should run. */
  preflight(argv: string[], io: Io): number | undefined;
  /** Whether the command opens files in the data directory under this configuration. */
  needsDataDir(argv: string[], config: Config): boolean;
  /** Whether the command must run with the CLI's own (admin) Vault credentials rather than the API's. */
  needsAdminToken?(argv: string[]): boolean;
  /** The arguments as the owner must see them (file names made absolute: it has another working directory). */
  forOwner?(argv: string[]): string[];
  run(argv: string[], resources: OperatorResources, io: Io): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** An operator program's arguments: positionals and the given options, `--help`/`-h` always among them. */
export function parseOperatorArgs<O extends Options>(argv: string[], options: O = {} as O) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } },
  });
}

interface ParsedOperatorArgs {
  values: { help?: boolean | undefined };
  positionals: string[];
}

export interface OperatorUsage {
  /** The program's name, prefixed to its error lines (`transit: ...`). */
  name: string;
  parse(argv: string[]): ParsedOperatorArgs;
  /** Writes the usage, line by line, to stdout for --help or to stderr after a usage error. */
  usage(write: (line: string) => void): void;
  /** What is wrong with these arguments: a message, '' for "just show the usage", undefined when they are fine. */
  problem(parsed: ParsedOperatorArgs): string | undefined;
}

/** The preflight every operator program shares: --help exits 0, a bad argument prints why and the usage, exits 2. */
export function checkOperatorArgs(spec: OperatorUsage, argv: string[], io: Io): number | undefined {
  let parsed: ParsedOperatorArgs;
  try {
    parsed = spec.parse(argv);
  } catch (error) {
    io.err(`${spec.name}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`);
    spec.usage(io.err);
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    spec.usage(io.out);
    return 0;
  }
  const problem = spec.problem(parsed);
  if (problem === undefined) return undefined;
  if (problem !== '') io.err(`${spec.name}: ${problem}`);
  spec.usage(io.err);
  return EXIT_USAGE;
}

/** Prints rows under a header with the table helper every command uses; no colour, the reader may be a socket. */
export function printTable(io: Io, rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  io.out(
    renderTable(
      columns,
      rows.map((row) => columns.map((column) => row[column] ?? '')),
      { colour: false },
    ),
  );
}
