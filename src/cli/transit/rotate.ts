import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';

export const rotate: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.rotate,
  usesDatabase: () => false,
  run: async ({ transit, io, args: [key] }) => {
    if (key === undefined) {
      io.err('usage: npm run transit -- rotate <key>');
      return 2;
    }
    printKey(io, await transit.rotateKey(key));
    return 0;
  },
};
