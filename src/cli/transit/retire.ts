import { RetireRefusedError } from '../../field-encryption/index.ts';
import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';
import { withKeyAdmin } from './with-key-admin.ts';

export const retire: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.retire,
  usesDatabase: () => true,
  run: async (input) => {
    const { io } = input;
    const [key, version] = input.args;
    if (key === undefined || version === undefined || !/^\d+$/.test(version)) {
      io.err('usage: npm run transit -- retire <key> <version>');
      return 2;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      try {
        printKey(io, await keyAdmin.retire(key, Number(version)));
        return 0;
      } catch (error) {
        if (!(error instanceof RetireRefusedError)) throw error;
        io.err(error.message);
        return 1;
      }
    });
  },
};
