import { exitWithStartupError } from '../startup-error.ts';
import { runOperatorCli } from './operator/run-cli.ts';

/** `npm run db -- backup|restore <file>`: copies of the embedded database. */
runOperatorCli('db', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch(exitWithStartupError);
