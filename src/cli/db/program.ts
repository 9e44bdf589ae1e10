import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restorePglite } from '../../db/restore.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { OperatorProgram } from '../operator/program.ts';

const USAGE = [
  'usage: npm run db -- <command> <file>',
  '',
  '  backup <file>   write a consistent copy of the embedded database (gzipped tar); works while the API runs',
  '  restore <file>  create the embedded database from a backup; only with the API stopped and no database present',
];

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
}

function usage(io: Io, code: number): number {
  for (const line of USAGE) (code === 0 ? io.out : io.err)(line);
  return code;
}

/** `npm run db -- backup|restore <file>`: copies of the embedded (PGlite) database. */
export const dbProgram: OperatorProgram = {
  preflight(argv, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      io.err(`db: ${(error as Error).message}`);
      return usage(io, 2);
    }
    if (parsed.values.help === true) return usage(io, 0);
    const [command, file, extra] = parsed.positionals;
    if ((command !== 'backup' && command !== 'restore') || file === undefined || extra !== undefined) {
      if (command !== undefined) io.err(`db: unknown or incomplete command "${parsed.positionals.join(' ')}"`);
      return usage(io, 2);
    }
    return undefined;
  },
  needsDataDir: (_, config) => config.database.kind === 'pglite',
  forOwner: (argv) => {
    const [command, file = ''] = parse(argv).positionals;
    return [command ?? '', path.resolve(file)];
  },
  async run(argv, { config, runsIn, withDatabase }, io) {
    const [command, file = ''] = parse(argv).positionals;
    if (config.database.kind !== 'pglite' || config.database.dataDir === undefined) {
      io.err('db: backup and restore are for the embedded database; on PostgreSQL use pg_dump and pg_restore');
      return 1;
    }
    if (command === 'restore') {
      if (runsIn === 'api') {
        io.err(
          `db: restore needs the API stopped (PID ${process.pid} holds ${config.dataDir}); stop it and run restore again`,
        );
        return 1;
      }
      await restorePglite(config.database.dataDir, fs.readFileSync(file));
      io.out(`restored ${config.database.dataDir} from ${file}`);
      return 0;
    }
    const archive = await withDatabase(async (database) => {
      if (database.backup === undefined) throw new Error('this database cannot be backed up here');
      return database.backup();
    });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, archive, { mode: 0o600 });
    fs.renameSync(temporary, file);
    io.out(`backup of ${config.database.dataDir} written to ${path.resolve(file)} (${archive.length} bytes)`);
    return 0;
  },
};
