import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';

export const rotate: TransitCommand = {
  usage: '<key>',
  summary: 'add a new key version; new values use it, older values stay readable',
  run: async ({ transit, args: [key] }) => {
    if (key === undefined) {
      console.error('usage: npm run transit -- rotate <key>');
      return 2;
    }
    printKey(await transit.rotateKey(key));
    return 0;
  },
};
