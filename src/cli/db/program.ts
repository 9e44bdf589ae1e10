import fs from 'node:fs';
import path from 'node:path';
import { restorePglite } from '../../db/restore.ts';
import { RecordCutError } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { checkOperatorArgs, type OperatorProgram, type OperatorResources } from '../operator/program.ts';
import { operatorName, recordedCommand, withOperatorName } from '../operator/record-command.ts';
import { dbUsage } from './usage.ts';

/** `npm run db -- backup|restore <file>`: copies of the embedded (PGlite) database. */
export const dbProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(dbUsage, argv, io),
  needsDataDir: (_, config) => config.database.kind === 'pglite',
  forOwner: (argv) => {
    const [command, file = ''] = dbUsage.parse(argv).positionals;
    return withOperatorName([command ?? '', path.resolve(file)]);
  },
  async run(argv, resources, io) {
    const { positionals, values } = dbUsage.parse(argv);
    const [command, file = ''] = positionals;
    const call = {
      action: command === 'restore' ? ('db.restore' as const) : ('db.backup' as const),
      key: '',
      subject: operatorName((values as { by?: string }).by),
    };
    const details = { file: path.resolve(file) };
    if (command !== 'restore')
      return recordedCommand(resources, io, call, details, () => backupOrRestore(argv, resources, io));
    try {
      return await recordedCommand(resources, io, call, details, () => backupOrRestore(argv, resources, io));
    } catch (error) {
      if (!(error instanceof RecordCutError)) throw error;
      // A backup older than the checkpoint: its record ends short of it until the loss is acknowledged.
      io.err(`db: the restore is done but not recorded: ${error.message}`);
      return 0;
    }
  },
};

async function backupOrRestore(argv: string[], resources: OperatorResources, io: Io): Promise<number> {
  const { config, runsIn, withDatabase } = resources;
  const [command, file = ''] = dbUsage.parse(argv).positionals;
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
}
