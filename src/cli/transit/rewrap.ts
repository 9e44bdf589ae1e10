import type { RewrapProgress } from '../../keys/rewrap.ts';
import { rewrapStoredValues } from '../../keys/rewrap.ts';
import { storedCiphertextsByKey } from '../../keys/stored-ciphertexts.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { TransitCommand } from './commands.ts';

export const rewrap: TransitCommand = {
  usage: '<key>',
  summary: 'move every stored value to the key’s latest version (online, resumable)',
  usesDatabase: () => true,
  run: async ({ transit, io, withDatabase, args: [key] }) => {
    if (key === undefined) {
      io.err('usage: npm run transit -- rewrap <key>');
      return 2;
    }
    return withDatabase(async (database) => {
      const store = storedCiphertextsByKey(database.db).get(key);
      if (store === undefined) {
        io.err(`no stored values use key ${key}; nothing to rewrap`);
        return 1;
      }
      const summary = await rewrapStoredValues(transit, store, key, {
        onProgress: (progress) => printProgress(io, progress),
      });
      io.out(
        `rewrap ${key} to v${summary.latestVersion}: ${summary.rewrapped} rewrapped, ${summary.skipped} changed meanwhile (left as written), ${summary.failed} failed, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
      );
      return summary.failed === 0 ? 0 : 1;
    });
  },
};

function printProgress(io: Io, { key, done, total, ratePerSecond, etaSeconds }: RewrapProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  io.err(`rewrap ${key}: ${done}/${total} (${percent.toFixed(1)}%), ${Math.round(ratePerSecond)} values/s, ETA ${eta}`);
}
