import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';

export const rotate: TransitCommand = {
  usage: '<key>',
  summary: 'add a new key version; new values use it, older values stay readable',
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
