import { RetireRefusedError } from '../../field-encryption/index.ts';
import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';
import { withKeyAdmin } from './with-database.ts';

export const retire: TransitCommand = {
  usage: '<key> <version>',
  summary: 'refuse versions below <version> (min_decryption_version), only if no stored value uses them',
  run: async (input) => {
    const [key, version] = input.args;
    if (key === undefined || version === undefined || !/^\d+$/.test(version)) {
      console.error('usage: npm run transit -- retire <key> <version>');
      return 2;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      try {
        printKey(await keyAdmin.retire(key, Number(version)));
        return 0;
      } catch (error) {
        if (!(error instanceof RetireRefusedError)) throw error;
        console.error(error.message);
        return 1;
      }
    });
  },
};
