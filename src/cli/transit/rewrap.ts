import type { RewrapProgress } from '../../field-encryption/index.ts';
import type { TransitCommand } from './commands.ts';
import { withKeyAdmin } from './with-database.ts';

export const rewrap: TransitCommand = {
  usage: '<key>',
  summary: 'move every stored value to the key’s latest version (online, resumable)',
  run: async (input) => {
    const [key] = input.args;
    if (key === undefined) {
      console.error('usage: npm run transit -- rewrap <key>');
      return 2;
    }
    if (input.storedColumns.forKey(key).length === 0) {
      console.error(`no stored column is declared with key ${key}; nothing to rewrap`);
      return 1;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      const summary = await keyAdmin.rewrap(key, { onProgress: printProgress });
      console.log(
        `rewrap ${key} to v${summary.latestVersion}: ${summary.rewrapped} rewrapped, ${summary.skipped} changed meanwhile (left as written), ${summary.failed} failed, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
      );
      return summary.failed === 0 ? 0 : 1;
    });
  },
};

function printProgress({ column, done, total, ratePerSecond, etaSeconds }: RewrapProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  console.error(
    `rewrap ${column}: ${done}/${total} (${percent.toFixed(1)}%), ${Math.round(ratePerSecond)} values/s, ETA ${eta}`,
  );
}
