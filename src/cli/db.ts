import { dbUsage } from './db/usage.ts';
import { operatorMain } from './operator/program.ts';

/** `npm run db -- backup|restore <file>`: copies of the embedded database. */
await operatorMain(dbUsage);
