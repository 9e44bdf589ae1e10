import { ConfigError } from './config.ts';
import { DatabaseUnavailableError } from './db/client.ts';
import { DeclarationMismatchError, TransitError } from './field-encryption/index.ts';
import { DataDirOwnedError, DataDirUnusableError } from './owner/data-dir-owner.ts';

/** Prints why the program cannot start, in one line, and exits non-zero; a stack only for the unexpected. */
export function exitWithStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(`transitql: configuration error: ${error.message}`);
  } else if (
    error instanceof DatabaseUnavailableError ||
    error instanceof DataDirOwnedError ||
    error instanceof DataDirUnusableError ||
    error instanceof DeclarationMismatchError
  ) {
    console.error(`transitql: ${error.message}`);
  } else if (error instanceof TransitError) {
    console.error(`transitql: transit ${error.code}: ${error.message}`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`transitql: ${(error as Error).message}: is another server running? set PORT`);
  } else {
    console.error('transitql: unexpected error during start-up:', error);
  }
  process.exit(1);
}
