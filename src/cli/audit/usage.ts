import { type OperatorUsage, parseOperatorArgs } from '../operator/program.ts';

const USAGE = [
  'usage: npm run audit -- <command>',
  '',
  '  verify              walk the reveal record: hash chain, transit seals, and its end against the checkpoint',
  '                      kept in the key service; names the first broken record, a cut tail, an emptied',
  '                      record or a restored older database',
  '  acknowledge-loss --reason "..." [--by name]',
  '                      after a loss verify names (and no backup to restore the rows from): record it as a',
  '                      sealed entry naming what was lost, who acknowledged it and why; reveals resume',
  '  tail [n]            the n latest reveals (default 20)',
  '  who-read <id>       every reveal of the record with this id (e.g. a card id)',
];

/** `npm run audit`'s arguments and usage, apart from the program (program.ts): --help is answered without loading it. */
export const auditUsage: OperatorUsage = {
  name: 'audit',
  parse: (argv) => parseOperatorArgs(argv, { reason: { type: 'string' }, by: { type: 'string' } }),
  usage: (write) => {
    for (const line of USAGE) write(line);
  },
  problem({ positionals, values }) {
    const [command, argument, extra] = positionals;
    const { reason, by } = values as { reason?: string; by?: string };
    if (command === 'acknowledge-loss') {
      if (argument !== undefined) return `unknown or incomplete command "${positionals.join(' ')}"`;
      if (reason === undefined || reason.trim() === '') return 'acknowledge-loss needs --reason "..."';
      return by !== undefined && by.trim() === '' ? '--by needs a name' : undefined;
    }
    if (reason !== undefined || by !== undefined) return '--reason and --by belong to acknowledge-loss';
    const valid =
      extra === undefined &&
      ((command === 'verify' && argument === undefined) ||
        (command === 'tail' && (argument === undefined || /^[1-9]\d*$/.test(argument))) ||
        (command === 'who-read' && argument !== undefined));
    if (valid) return undefined;
    return command === undefined ? '' : `unknown or incomplete command "${positionals.join(' ')}"`;
  },
};
