import { RetireRefusedError, retireVersionsBelow } from '../../field-encryption/lifecycle/retire.ts';
import { storedCiphertextsByKey } from '../../field-encryption/lifecycle/stored-ciphertexts.ts';
import type { TransitCommand } from './commands.ts';
import { printKey } from './print-key.ts';
import { withDatabase } from './with-database.ts';

export const retire: TransitCommand = {
  usage: '<key> <version>',
  summary: 'refuse versions below <version> (min_decryption_version), only if no stored value uses them',
  run: async ({ config, transit, args: [key, version] }) => {
    if (key === undefined || version === undefined || !/^\d+$/.test(version)) {
      console.error('usage: npm run transit -- retire <key> <version>');
      return 2;
    }
    return withDatabase(config, async (database) => {
      try {
        const info = await retireVersionsBelow(
          transit,
          storedCiphertextsByKey(database.db).get(key),
          key,
          Number(version),
        );
        printKey(info);
        return 0;
      } catch (error) {
        if (!(error instanceof RetireRefusedError)) throw error;
        console.error(error.message);
        return 1;
      }
    });
  },
};
