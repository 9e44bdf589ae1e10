import os from 'node:os';
import { desc, sql } from 'drizzle-orm';
import { REVEAL_SEAL_KEY } from '../../encryption-declarations.ts';
import { CHECKPOINT_FIX, type RevealEventRow, RevealLedger, revealEvents } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import { checkOperatorArgs, type OperatorProgram, printTable } from '../operator/program.ts';
import { auditUsage } from './usage.ts';

/** One line per acknowledged loss: when, by whom, what was lost and why. */
function describeAcknowledgement(row: RevealEventRow): string {
  const recorded = JSON.parse(row.operation ?? '{}') as {
    reason?: string;
    problem?: string;
    lost?: { seq: number; hash: string };
    tail?: { seq: number } | null;
  };
  const tail = recorded.tail === null || recorded.tail === undefined ? 'no records' : `seq ${recorded.tail.seq}`;
  return `loss acknowledged at seq ${row.seq} (${row.at.toISOString()}) by ${row.subject}: ${recorded.problem}, checkpoint seq ${recorded.lost?.seq} (hash ${recorded.lost?.hash.slice(0, 12)}…) vs ${tail}; reason: ${recorded.reason}`;
}

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

/** `npm run audit -- verify|tail|who-read|acknowledge-loss`: the auditor's questions to the reveal record. */
export const auditProgram: OperatorProgram = {
  preflight: (argv, io) => checkOperatorArgs(auditUsage, argv, io),
  // The owner runs as another user: who acknowledges a loss is the operator at the CLI.
  forOwner: (argv) =>
    argv[0] === 'acknowledge-loss' && !argv.some((arg) => arg === '--by' || arg.startsWith('--by='))
      ? [...argv, '--by', os.userInfo().username]
      : argv,
  needsDataDir: (_, config) => config.database.kind === 'pglite' || config.transit.kind === 'embedded',
  async run(argv, { transit, withDatabase }, io) {
    const { positionals, values } = auditUsage.parse(argv);
    const [command, argument] = positionals;
    return withDatabase(async (database) => {
      const ledger = new RevealLedger(database.db, transit(), REVEAL_SEAL_KEY);
      if (command === 'verify') {
        const { records, broken } = await ledger.verify();
        if (broken === undefined) {
          io.out(`reveal record intact: ${records} records, chain and seals verified`);
          for (const row of await ledger.acknowledgedLosses()) io.out(describeAcknowledgement(row));
          return 0;
        }
        io.err(`reveal record broken at seq ${broken.seq}: ${broken.problem}`);
        if (broken.cut !== undefined) io.err(`to go on: ${CHECKPOINT_FIX} (see README)`);
        return 1;
      }
      if (command === 'acknowledge-loss') {
        const { reason, by } = values as { reason: string; by?: string };
        try {
          const entry = await ledger.acknowledgeLoss(by ?? os.userInfo().username, reason);
          io.out(describeAcknowledgement(entry));
          io.out('the checkpoint now points at this entry; reveals resume');
          return 0;
        } catch (error) {
          io.err(`audit: ${(error as Error).message}`);
          return 1;
        }
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
