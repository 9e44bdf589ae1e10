import { consoleIo } from '../owner/operator-channel.ts';
import { dbUsage } from './db/usage.ts';
import { checkOperatorArgs } from './operator/program.ts';

/**
 * `npm run db -- backup|restore <file>`: copies of the embedded database.
 * --help and bad arguments are answered first; the code that runs the commands is loaded only after.
 */
const early = checkOperatorArgs(dbUsage, process.argv.slice(2), consoleIo);
if (early === undefined) {
  const [{ runOperatorCli }, { exitWithStartupError }] = await Promise.all([
    import('./operator/run-cli.ts'),
    import('../startup-error.ts'),
  ]);
  runOperatorCli('db', process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch(exitWithStartupError);
} else {
  process.exitCode = early;
}
