import { type BindProgress, bindStoredValues } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { TransitCommand } from './commands.ts';
import { TRANSIT_COMMAND_TEXT } from './usage.ts';
import { withKeyAdmin } from './with-key-admin.ts';

export const bind: TransitCommand = {
  ...TRANSIT_COMMAND_TEXT.bind,
  usesDatabase: () => true,
  run: async (input) => {
    const { io } = input;
    const [key] = input.args;
    const fromKey = input.flags.from;
    if (key === undefined || typeof fromKey !== 'string') {
      io.err('usage: npm run transit -- bind <key> --from <unbound-key>');
      return 2;
    }
    if (input.storedColumns.forKey(key).length === 0) {
      io.err(`no stored column is declared with key ${key}; nothing to bind`);
      return 1;
    }
    return withKeyAdmin(input, async (keyAdmin) => {
      let notBound = 0;
      for (const store of keyAdmin.stores(key)) {
        const summary = await bindStoredValues(input.transit, store, {
          fromKey,
          onProgress: (progress) => printProgress(io, progress),
        });
        io.out(
          `bind ${summary.column} from ${fromKey} to ${key}: ${summary.bound} bound, ${summary.alreadyBound} bound already, ${summary.skipped} changed meanwhile (left as written), ${summary.notBound} not bound, of ${summary.total}, in ${summary.seconds.toFixed(1)} s`,
        );
        if (summary.notBound > 0) {
          const rows = summary.notBoundRows.map(({ id, reason }) => `${id} (${reason})`).join(', ');
          io.err(
            `bind ${summary.column}: ${summary.notBound} values open under neither ${fromKey} nor ${key} with their row's identity; they stay as stored. First rows: ${rows}`,
          );
        }
        notBound += summary.notBound;
      }
      return notBound === 0 ? 0 : 1;
    });
  },
};

function printProgress(io: Io, { column, done, total, bound, ratePerSecond, etaSeconds }: BindProgress): void {
  const percent = total === 0 ? 100 : (100 * done) / total;
  const eta = etaSeconds === undefined ? '?' : `${Math.ceil(etaSeconds)} s`;
  io.err(
    `bind ${column}: ${done}/${total} (${percent.toFixed(1)}%), ${bound} bound, ${Math.round(ratePerSecond)} rows/s, ETA ${eta}`,
  );
}
