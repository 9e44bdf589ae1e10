import { consoleIo } from '../owner/operator-channel.ts';
import { checkOperatorArgs } from './operator/program.ts';
import { transitUsage } from './transit/usage.ts';

/**
 * `npm run transit -- <command> [args]`: key management against Vault/OpenBao or the embedded engine.
 * --help and bad arguments are answered first; the code that runs the commands is loaded only after.
 */
const early = checkOperatorArgs(transitUsage, process.argv.slice(2), consoleIo);
if (early === undefined) {
  const [{ runOperatorCli }, { exitWithStartupError }] = await Promise.all([
    import('./operator/run-cli.ts'),
    import('../startup-error.ts'),
  ]);
  runOperatorCli('transit', process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch(exitWithStartupError);
} else {
  process.exitCode = early;
}
