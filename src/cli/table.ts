import Table from 'cli-table3';
import { colourEnabled } from './colour.ts';

export type Align = 'left' | 'right' | 'center';

/** The one table format of every transitql command (cli-table3); colour only on a terminal. */
export function renderTable(
  head: string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  options: { align?: Align[]; stream?: NodeJS.WriteStream; colour?: boolean } = {},
): string {
  const table = new Table({
    head,
    // cli-table3 reads colAligns[i] for every cell: an explicit undefined would break it.
    ...(options.align === undefined ? {} : { colAligns: options.align }),
    style: { head: (options.colour ?? colourEnabled(options.stream)) ? ['cyan'] : [], border: [] },
  });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}
