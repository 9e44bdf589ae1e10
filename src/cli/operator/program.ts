import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Transit } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';

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

/** Prints rows as aligned columns under a header (no index column). */
export function printTable(io: Io, rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  io.out(line(columns));
  for (const row of rows) io.out(line(columns.map((column) => String(row[column]))));
}
