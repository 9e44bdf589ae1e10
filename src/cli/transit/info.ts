import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';

export const info: TransitCommand = {
  usage: '<key>',
  summary: 'versions, minimum versions and creation times of a key',
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
