import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Transit } from '../../field-encryption/index.ts';
import type { Io, OperatorRunner } from '../../owner/operator-channel.ts';
import { auditProgram } from '../audit/program.ts';
import { dbProgram } from '../db/program.ts';
import { transitProgram } from '../transit/program.ts';
import type { OperatorProgram } from './program.ts';

export const operatorPrograms: Record<string, OperatorProgram> = {
  transit: transitProgram,
  db: dbProgram,
  audit: auditProgram,
};

/** How the API that owns the data directory runs the operator commands sent to it, on its own backends. */
export function apiOperatorRunner(config: Config, transit: Transit, database: Database): OperatorRunner {
  return async (name: string, argv: string[], io: Io) => {
    const program = operatorPrograms[name];
    if (program === undefined) {
      io.err(`unknown program ${name}`);
      return 2;
    }
    return (
      program.preflight(argv, io) ??
      program.run(argv, { config, runsIn: 'api', transit: () => transit, withDatabase: (use) => use(database) }, io)
    );
  };
}
