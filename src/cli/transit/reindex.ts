import type { ReindexProgress } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { TransitCommand } from './commands.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';
import { withKeyAdmin } from './with-key-admin.ts';

export const reindex: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.reindex,
  usesDatabase: () => true,
  run: async (input) => {
    const { io } = input;
    const [key] = input.args;
    const batchSize = input.flags['batch-size'];
    if (key === undefined || (batchSize !== undefined && !/^[1-9]\d*$/.test(String(batchSize)))) {
      io.err('usage: npm run transit -- reindex <key> [--batch-size <n>]');
      return 2;
    }
    if (!input.storedColumns.forKey(key).some((column) => column.indexOf !== undefined)) {
      io.err(`no blind index is declared with key ${key}; nothing to reindex`);
      return 1;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      const summaries = await keyAdmin.reindex(key, {
        ...(batchSize === undefined ? {} : { batchSize: Number(batchSize) }),
        onProgress: (progress) => printProgress(io, progress),
      });
      for (const summary of summaries) {
        io.out(
          `reindex ${summary.column} to v${summary.latestVersion} of ${key}: ${summary.reindexed} reindexed, ${summary.skipped} changed meanwhile (left as written), ${summary.undecryptable} undecryptable, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
        );
      }
      return summaries.every((summary) => summary.undecryptable === 0) ? 0 : 1;
    });
  },
};

function printProgress(io: Io, { column, done, total, reindexed, ratePerSecond, etaSeconds }: ReindexProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  io.err(
    `reindex ${column}: ${done}/${total} (${percent.toFixed(1)}%), ${reindexed} reindexed, ${Math.round(ratePerSecond)} rows/s, ETA ${eta}`,
  );
}
