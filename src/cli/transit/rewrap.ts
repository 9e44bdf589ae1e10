import type { RewrapProgress } from '../../field-encryption/lifecycle/rewrap.ts';
import { rewrapStoredValues } from '../../field-encryption/lifecycle/rewrap.ts';
import { storedCiphertextsByKey } from '../../field-encryption/lifecycle/stored-ciphertexts.ts';
import type { TransitCommand } from './commands.ts';
import { withDatabase } from './with-database.ts';

export const rewrap: TransitCommand = {
  usage: '<key>',
  summary: 'move every stored value to the key’s latest version (online, resumable)',
  run: async ({ config, transit, args: [key] }) => {
    if (key === undefined) {
      console.error('usage: npm run transit -- rewrap <key>');
      return 2;
    }
    return withDatabase(config, async (database) => {
      const store = storedCiphertextsByKey(database.db).get(key);
      if (store === undefined) {
        console.error(`no stored values use key ${key}; nothing to rewrap`);
        return 1;
      }
      const summary = await rewrapStoredValues(transit, store, key, { onProgress: printProgress });
      console.log(
        `rewrap ${key} to v${summary.latestVersion}: ${summary.rewrapped} rewrapped, ${summary.skipped} changed meanwhile (left as written), ${summary.failed} failed, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
      );
      return summary.failed === 0 ? 0 : 1;
    });
  },
};

function printProgress({ key, done, total, ratePerSecond, etaSeconds }: RewrapProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  console.error(
    `rewrap ${key}: ${done}/${total} (${percent.toFixed(1)}%), ${Math.round(ratePerSecond)} values/s, ETA ${eta}`,
  );
}
