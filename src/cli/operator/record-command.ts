import os from 'node:os';
import { REVEAL_SEAL_KEY } from '../../encryption-declarations.ts';
import { type AdminCall, type AdminOutcome, durableRecorder } from '../../field-encryption/index.ts';
import type { Io } from '../../owner/operator-channel.ts';
import type { OperatorResources } from './program.ts';

/** Who ran an operator command: `--by` when given (the API runs commands sent to it as its own user), else the OS user. */
export function operatorName(by: string | boolean | undefined): string {
  return typeof by === 'string' && by !== '' ? by : os.userInfo().username;
}

/** The arguments with `--by <the operator at this CLI>` added, for a command the API runs on its behalf. */
export function withOperatorName(argv: string[]): string[] {
  return argv.some((arg) => arg === '--by' || arg.startsWith('--by='))
    ? argv
    : [...argv, '--by', operatorName(undefined)];
}

/**
 * Runs an administrative command, then records it on the reveal record (sealed and chained like a
 * reveal) with its exit code or error. A command that succeeded but whose entry cannot be written
 * fails. A failed command keeps its own error and exit code when its entry cannot be written either
 * (nothing changed; the reason it failed is what the operator needs), and says it is not on the record.
 */
export async function recordedCommand(
  resources: OperatorResources,
  io: Io,
  call: Omit<AdminCall, 'via'>,
  details: Record<string, unknown>,
  run: () => Promise<number>,
): Promise<number> {
  const recordFailure = (outcome: AdminOutcome) =>
    record(resources, call, outcome).catch((error: unknown) => {
      io.err(`${call.action}: this failed attempt is not on the record: ${(error as Error).message}`);
    });
  let code: number;
  try {
    code = await run();
  } catch (error) {
    await recordFailure({ outcome: 'failed', details: { ...details, error: (error as Error).message } });
    throw error;
  }
  if (code !== 0) await recordFailure({ outcome: 'failed', details: { ...details, exitCode: code } });
  else await record(resources, call, { outcome: 'succeeded', details: { ...details, exitCode: code } });
  return code;
}

function record(resources: OperatorResources, call: Omit<AdminCall, 'via'>, outcome: AdminOutcome): Promise<void> {
  return resources.withDatabase((database) =>
    durableRecorder(database.db, resources.transit(), REVEAL_SEAL_KEY)({ ...call, via: 'cli' }, outcome),
  );
}
