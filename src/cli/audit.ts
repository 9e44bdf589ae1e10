import { consoleIo } from '../owner/operator-channel.ts';
import { auditUsage } from './audit/usage.ts';
import { checkOperatorArgs } from './operator/program.ts';

/**
 * `npm run audit -- verify|tail|who-read <id>`: the reveal record, for auditors.
 * --help and bad arguments are answered first; the code that runs the commands is loaded only after.
 */
const early = checkOperatorArgs(auditUsage, process.argv.slice(2), consoleIo);
if (early === undefined) {
  const [{ runOperatorCli }, { exitWithStartupError }] = await Promise.all([
    import('./operator/run-cli.ts'),
    import('../startup-error.ts'),
  ]);
  runOperatorCli('audit', process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch(exitWithStartupError);
} else {
  process.exitCode = early;
}
