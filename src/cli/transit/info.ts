import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';

export const info: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.info,
  usesDatabase: () => false,
  run: async ({ transit, io, args: [key] }) => {
    if (key === undefined) {
      io.err('usage: npm run transit -- info <key>');
      return 2;
    }
    printKey(io, await transit.readKey(key));
    return 0;
  },
};
