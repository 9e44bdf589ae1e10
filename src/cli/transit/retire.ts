import { RetireRefusedError, retireVersionsBelow } from '../../keys/retire.ts';
import { storedCiphertextsByKey } from '../../keys/stored-ciphertexts.ts';
import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';

export const retire: TransitCommand = {
  usage: '<key> <version>',
  summary: 'refuse versions below <version> (min_decryption_version), only if no stored value uses them',
  usesDatabase: () => true,
  run: async ({ transit, io, withDatabase, args: [key, version] }) => {
    if (key === undefined || version === undefined || !/^\d+$/.test(version)) {
      io.err('usage: npm run transit -- retire <key> <version>');
      return 2;
    }
    return withDatabase(async (database) => {
      try {
        const info = await retireVersionsBelow(
          transit,
          storedCiphertextsByKey(database.db).get(key),
          key,
          Number(version),
        );
        printKey(io, info);
        return 0;
      } catch (error) {
        if (!(error instanceof RetireRefusedError)) throw error;
        io.err(error.message);
        return 1;
      }
    });
  },
};
