import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';

export const info: TransitCommand = {
  usage: '<key>',
  summary: 'versions, minimum versions and creation times of a key',
  run: async ({ transit, args: [key] }) => {
    if (key === undefined) {
      console.error('usage: npm run transit -- info <key>');
      return 2;
    }
    printKey(await transit.readKey(key));
    return 0;
  },
};
