import { type OperatorUsage, parseOperatorArgs } from '../operator/program.ts';

const USAGE = [
  'usage: npm run db -- <command> <file>',
  '',
  '  backup <file>   write a consistent copy of the embedded database (gzipped tar); works while the API runs',
  '  restore <file>  create the embedded database from a backup; only with the API stopped and no database present',
  '',
  'Each is recorded on the reveal record under the operating-system user, or the name given with --by.',
];

/** `npm run db`'s arguments and usage, apart from the program (program.ts): --help is answered without loading it. */
export const dbUsage: OperatorUsage = {
  name: 'db',
  parse: (argv) => parseOperatorArgs(argv, { by: { type: 'string' } }),
  usage: (write) => {
    for (const line of USAGE) write(line);
  },
  problem({ positionals }) {
    const [command, file, extra] = positionals;
    if ((command === 'backup' || command === 'restore') && file !== undefined && extra === undefined) return undefined;
    return command === undefined ? '' : `unknown or incomplete command "${positionals.join(' ')}"`;
  },
};
