import { serve } from './serve.ts';
import { exitWithStartupError } from './startup-error.ts';

/** Entry point: `npm start`. */
serve().catch(exitWithStartupError);
