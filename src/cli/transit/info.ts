import type { TransitCommand } from './commands.ts';
import { keyUses } from './key-uses.ts';
import { printKey, printKeys } from './print-key.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';

export const info: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.info,
  usesDatabase: () => false,
  run: async ({ transit, io, schema, args: [key] }) => {
    const uses = keyUses(schema);
    if (key === undefined) return printKeys(io, transit, uses);
    printKey(io, await transit.readKey(key), uses.get(key));
    return 0;
  },
};
