import { desc, sql } from 'drizzle-orm';
import { REVEAL_SEAL_KEY } from '../../encryption-declarations.ts';
import { type RevealEventRow, RevealLedger, revealEvents } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { checkOperatorArgs, type OperatorProgram, printTable } from '../operator/program.ts';
import { auditUsage } from './usage.ts';

function printReveals(io: Io, rows: RevealEventRow[]): void {
  if (rows.length === 0) io.out('no reveals');
  printTable(
    io,
    rows.map((row) => ({
      seq: row.seq,
      at: row.at.toISOString(),
      subject: row.subject,
      role: row.role,
      mask: row.mask,
      field: row.field,
      operation: row.operation ?? '',
      client: row.clientAddress ?? '',
      count: row.count,
    })),
  );
}

/** `npm run audit -- verify|tail|who-read`: the auditor's questions to the reveal record. */
export const auditProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(auditUsage, argv, io),
  needsDataDir: (_, config) => config.database.kind === 'pglite' || config.transit.kind === 'embedded',
  async run(argv, { transit, withDatabase }, io) {
    const [command, argument] = auditUsage.parse(argv).positionals;
    return withDatabase(async (database) => {
      if (command === 'verify') {
        const { records, broken } = await new RevealLedger(database.db, transit(), REVEAL_SEAL_KEY).verify();
        if (broken === undefined) {
          io.out(`reveal record intact: ${records} records, chain and seals verified`);
          return 0;
        }
        io.err(`reveal record broken at seq ${broken.seq}: ${broken.problem}`);
        return 1;
      }
      const rows =
        command === 'tail'
          ? (
              await database.db
                .select()
                .from(revealEvents)
                .orderBy(desc(revealEvents.seq))
                .limit(Number(argument ?? 20))
            ).reverse()
          : await database.db
              .select()
              .from(revealEvents)
              .where(sql`${revealEvents.recordIds} @> ${JSON.stringify([argument])}::jsonb`)
              .orderBy(revealEvents.seq);
      printReveals(io, rows);
      return 0;
    });
  },
};
