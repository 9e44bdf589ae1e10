/** The body rows of a table a command printed (cli-table3, no colour), each by its column heading. */
export function printedTableRows(output: string): Array<Record<string, string>> {
  const [head = [], ...rows] = output
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  return rows.map((cells) => Object.fromEntries(head.map((column, index) => [column, cells[index] ?? ''])));
}
