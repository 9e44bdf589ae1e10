import { serve } from '../serve.ts';
import { exitWithStartupError } from '../startup-error.ts';

/**
 * The API without its reveal record, for `npm run bench` only: the record's cost is the difference
 * from the same list with it. No configuration reaches this; `npm start` always records.
 */
serve({ withoutRevealRecord: true }).catch(exitWithStartupError);
