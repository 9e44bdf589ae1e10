import { exitWithStartupError } from '../startup-error.ts';
import { runOperatorCli } from './operator/run-cli.ts';

/** `npm run audit -- verify|tail|who-read <id>`: the reveal record, for auditors. */
runOperatorCli('audit', process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch(exitWithStartupError);
