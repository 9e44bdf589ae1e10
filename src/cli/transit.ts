import { exitWithStartupError } from '../startup-error.ts';
import { runOperatorCli } from './operator/run-cli.ts';

/** `npm run transit -- <command> [args]`: key management against Vault/OpenBao or the embedded engine. */
runOperatorCli('transit', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch(exitWithStartupError);
