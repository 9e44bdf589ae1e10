import type { RewrapProgress } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { TransitCommand } from './commands.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';
import { withKeyAdmin } from './with-key-admin.ts';

export const rewrap: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.rewrap,
  usesDatabase: () => true,
  run: async (input) => {
    const { io } = input;
    const [key] = input.args;
    if (key === undefined) {
      io.err('usage: npm run transit -- rewrap <key>');
      return 2;
    }
    if (input.storedColumns.forKey(key).length === 0) {
      io.err(`no stored column is declared with key ${key}; nothing to rewrap`);
      return 1;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      const summary = await keyAdmin.rewrap(key, { onProgress: (progress) => printProgress(io, progress) });
      io.out(
        `rewrap ${key} to v${summary.latestVersion}: ${summary.rewrapped} rewrapped, ${summary.skipped} changed meanwhile (left as written), ${summary.failed} failed, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
      );
      return summary.failed === 0 ? 0 : 1;
    });
  },
};

function printProgress(io: Io, { column, done, total, ratePerSecond, etaSeconds }: RewrapProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  io.err(
    `rewrap ${column}: ${done}/${total} (${percent.toFixed(1)}%), ${Math.round(ratePerSecond)} values/s, ETA ${eta}`,
  );
}
