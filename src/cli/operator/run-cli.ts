import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, loadConfig } from '../../config.ts';
import { type Database, openDatabase } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import type { Transit } from '../../field-encryption/index.ts';
import { createTransit } from '../../field-encryption/index.ts';
import { DataDirOwnedError, describeOwner, readOwner, takeOwnership } from '../../owner/data-dir-owner.ts';
import { needsOwnership } from '../../owner/needs-owner.ts';
import { consoleIo, sendOperatorCommand } from '../../owner/operator-channel.ts';
import { keepPrivate } from '../../owner/private-files.ts';
import { checkOperatorDeclarations } from './declarations.ts';
import type { OperatorProgram } from './program.ts';
import { operatorPrograms } from './programs.ts';

/** How long a command waits for another CLI command holding the data directory to finish. */
const WAIT_FOR_OWNER_MS = 120_000;

/**
 * Runs an operator command. First, like the API at start-up, it refuses to run when the encrypted
 * fields and the stored columns disagree (`drizzleSchema` is the app's, replaced only by tests).
 * On the embedded default the data directory has one owner: when the API
 * holds it, the command is sent to the API and runs there; otherwise the CLI takes the directory for
 * the command's duration (waiting its turn behind another CLI command).
 */
export async function runOperatorCli(
  name: string,
  argv: string[],
  drizzleSchema?: Record<string, unknown>,
): Promise<number> {
  const program = operatorPrograms[name] as OperatorProgram;
  const early = program.preflight(argv, consoleIo);
  if (early !== undefined) return early;
  const config = loadConfig();
  checkOperatorDeclarations(config, drizzleSchema);
  if (!needsOwnership(config) || !program.needsDataDir(argv, config)) return runHere(program, argv, config);
  const deadline = Date.now() + WAIT_FOR_OWNER_MS;
  let told = false;
  for (;;) {
    const owner = await readOwner(config.dataDir);
    if (owner?.controlSocket !== undefined) {
      console.error(`transitql: ${config.dataDir} is held by ${describeOwner(owner)}; running the command there`);
      return sendOperatorCommand(owner.controlSocket, name, program.forOwner?.(argv) ?? argv, consoleIo);
    }
    try {
      const ownership = await takeOwnership(config.dataDir, { role: `${name} ${argv.join(' ')} command` });
      try {
        keepPrivate(config.dataDir);
        return await runHere(program, argv, config);
      } finally {
        await ownership.release();
      }
    } catch (error) {
      if (!(error instanceof DataDirOwnedError)) throw error;
      // An API this process cannot see (another PID namespace on the same volume) still takes commands.
      if (error.owner?.controlSocket !== undefined && error.owner.role === 'API') {
        console.error(
          `transitql: ${config.dataDir} is held by ${describeOwner(error.owner)}; running the command there`,
        );
        return sendOperatorCommand(error.owner.controlSocket, name, program.forOwner?.(argv) ?? argv, consoleIo);
      }
      if (Date.now() > deadline) throw error;
      if (!told && error.owner !== undefined && error.owner.role !== 'API') {
        console.error(`transitql: waiting for ${describeOwner(error.owner)} to finish`);
        told = true;
      }
      await sleep(200);
    }
  }
}

async function runHere(program: OperatorProgram, argv: string[], config: Config): Promise<number> {
  let transit: Transit | undefined;
  let database: Database | undefined;
  try {
    return await program.run(
      argv,
      {
        config,
        runsIn: 'cli',
        transit: () => {
          transit ??= createTransit(
            program.needsAdminToken?.(argv) === true && config.transit.kind === 'vault'
              ? { ...config.transit, allowRootToken: true }
              : config.transit,
          );
          return transit;
        },
        withDatabase: async (use) => {
          if (database === undefined) {
            database = await openDatabase(config.database);
            await migrate(database);
          }
          return use(database);
        },
      },
      consoleIo,
    );
  } finally {
    await transit?.close();
    await database?.close();
  }
}
