import { type OperatorUsage, parseOperatorArgs } from '../operator/program.ts';

const USAGE = [
  'usage: npm run audit -- <command>',
  '',
  '  verify              walk the reveal record: hash chain and transit seals; names the first broken record',
  '  tail [n]            the n latest reveals (default 20)',
  '  who-read <id>       every reveal of the record with this id (e.g. a card id)',
];

/** `npm run audit`'s arguments and usage, apart from the program (program.ts): --help is answered without loading it. */
export const auditUsage: OperatorUsage = {
  name: 'audit',
  parse: (argv) => parseOperatorArgs(argv),
  usage: (write) => {
    for (const line of USAGE) write(line);
  },
  problem({ positionals }) {
    const [command, argument, extra] = positionals;
    const valid =
      extra === undefined &&
      ((command === 'verify' && argument === undefined) ||
        (command === 'tail' && (argument === undefined || /^[1-9]\d*$/.test(argument))) ||
        (command === 'who-read' && argument !== undefined));
    if (valid) return undefined;
    return command === undefined ? '' : `unknown or incomplete command "${positionals.join(' ')}"`;
  },
};
