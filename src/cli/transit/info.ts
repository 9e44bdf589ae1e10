import type { TransitCommand } from './commands.ts';
import { keyUses } from './key-uses.ts';
import { printKey, printKeys } from './print-key.ts';

export const info: TransitCommand = {
  usage: '[key]',
  summary: 'every key the schema declares: type, use, derived, exportable, versions; with <key>: its versions’ times',
  usesDatabase: () => false,
  run: async ({ transit, io, schema, args: [key] }) => {
    const uses = keyUses(schema);
    if (key === undefined) return printKeys(io, transit, uses);
    printKey(io, await transit.readKey(key), uses.get(key));
    return 0;
  },
};
